import { useMemo, useState } from 'react';
import { expandGrid } from '../../experiments/grid';
import { formatBytes, formatSeconds } from '../../experiments/recommend';
import { useDatasets } from '../datasets/datasets-slice';
import { useModels } from '../models/use-models';
import { runData } from '../train/run-data';
import { useRunInputs } from '../train/run-inputs';
import { useTrain } from '../train/use-train';
import { ABLATION_FORM, estimateTrials, gridOf, parseNumbers, PAPER_FORM, type BuilderForm } from './builder';
import { useExperiments } from './experiments-slice';
import type { TuneMethod } from '../../settings/run-config';

const METHODS: TuneMethod[] = ['full', 'lora', 'qlora'];

function TextList({ label, value, onChange }: { label: string; value: string; onChange(v: string): void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** The grid builder: one click for the paper's grid or the ablation, the run count and each run's estimate first. */
export function BuilderPanel() {
  const [form, setForm] = useState<BuilderForm>(PAPER_FORM);
  const [texts, setTexts] = useState({ models: PAPER_FORM.models.join(', '), ranks: '32, 64, 128', alphas: '32, 64, 128, 256, 512', seeds: '42', mixes: '0.5' });
  const config = useTrain((s) => s.config);
  const { current, rows } = useDatasets();
  const baseUrl = useModels((s) => s.settings.baseUrl);
  const limit = useRunInputs((s) => s.limit);
  const { running, results, start, setError } = useExperiments();

  const load = (f: BuilderForm) => {
    setForm(f);
    setTexts({ models: f.models.join(', '), ranks: f.ranks.join(', '), alphas: f.alphas.join(', '), seeds: f.seeds.join(', '), mixes: f.mixes.join(', ') });
  };
  const built = useMemo(() => {
    try {
      const f: BuilderForm = {
        ...form, models: texts.models.split(/[\s,]+/).filter(Boolean), ranks: parseNumbers('Ranks', texts.ranks), alphas: parseNumbers('Alphas', texts.alphas),
        seeds: parseNumbers('Seeds', texts.seeds), mixes: parseNumbers('Loss weights a', texts.mixes),
      };
      const base = { ...config, lora: { ...config.lora } };
      const trials = expandGrid(gridOf(f, base, baseUrl));
      const data = current ? runData(current, rows, config.rows, limit) : null;
      const trainRows = data ? Math.round(data.rows.length * (1 - config.evalFraction)) : 0;
      const ids = Object.fromEntries(trials.map((t) => [t.model, t.source.kind === 'hub' ? t.source.id : '']));
      return { trials, data, estimates: estimateTrials(trials, config, trainRows, results, ids), problem: null };
    } catch (e) {
      return { trials: [], data: null, estimates: [], problem: (e as Error).message };
    }
  }, [form, texts, config, current, rows, baseUrl, results, limit]);

  const go = () => {
    if (!built.data || built.data.rows.length === 0) return setError('No rows to train on: open a dataset with accepted rows on the Datasets page.');
    void start(form.kind, built.trials, built.data);
  };

  const measuredAll = built.estimates.length > 0 && built.estimates.every((e) => e.seconds !== null);
  const largest = Math.max(0, ...built.estimates.map((e) => e.memoryBytes ?? 0));
  const total = built.estimates.reduce((s, e) => s + (e.seconds ?? 0), 0);
  const update = (key: keyof typeof texts) => (v: string) => setTexts({ ...texts, [key]: v });

  return (
    <section className="panel" aria-labelledby="builder-title">
      <h2 id="builder-title">New sweep</h2>
      <div className="start-row">
        <button type="button" onClick={() => load(PAPER_FORM)}>Paper grid</button>
        <button type="button" onClick={() => load(ABLATION_FORM)}>Ablation (a = 0.5 vs 1.0)</button>
        <span className="muted small">Rows and the other settings (lr, batch, epochs, max steps, lengths) come from the Train page.</span>
      </div>
      <div className="field-grid">
        <div className="wide"><TextList label="Models (hub ids)" value={texts.models} onChange={update('models')} /></div>
        <fieldset className="checks wide">
          <legend>Methods</legend>
          {METHODS.map((m) => (
            <label key={m}>
              <input type="checkbox" checked={form.methods.includes(m)} onChange={(e) => setForm({ ...form, methods: e.target.checked ? [...form.methods, m] : form.methods.filter((x) => x !== m) })} /> {m}
            </label>
          ))}
        </fieldset>
        <TextList label="Ranks" value={texts.ranks} onChange={update('ranks')} />
        <TextList label="Alphas" value={texts.alphas} onChange={update('alphas')} />
        <TextList label="Seeds" value={texts.seeds} onChange={update('seeds')} />
        <TextList label="Loss weights a" value={texts.mixes} onChange={update('mixes')} />
      </div>
      {form.kind === 'sweep' && Number.isFinite(form.maxRatio) ? <p className="muted small">LoRA and QLoRA try each rank with the alphas whose alpha:rank lies within 1:{form.maxRatio} .. {form.maxRatio}:1; full fine-tuning runs once per model and seed.</p> : null}
      {built.problem ? <p className="error" role="alert">{built.problem}</p> : (
        <>
          <p data-testid="sweep-count">
            <strong>{built.trials.length} runs</strong>
            {current ? ` on ${built.data?.rows.length ?? 0} rows of ${current.name}` : ' (no dataset open: open one on the Datasets page)'}
            {largest > 0 ? ` · largest GPU memory estimate ${formatBytes(largest)}` : ''}
            {built.trials.length > 0 ? (measuredAll ? ` · about ${formatSeconds(total)} in all` : ' · time: estimated once a run of the same model and method has been measured') : ''}
          </p>
          <details>
            <summary>Estimate of each run</summary>
            <div className="table-scroll">
              <table className="compact">
                <thead><tr><th>configuration</th><th className="num">GPU memory</th><th className="num">steps</th><th className="num">time (from measured runs)</th></tr></thead>
                <tbody>
                  {built.estimates.map((e) => (
                    <tr key={e.trial.id}><td>{e.trial.id}</td><td className="num">{e.memoryBytes === null ? 'known after loading' : formatBytes(e.memoryBytes)}</td><td className="num">{e.steps}</td><td className="num">{e.seconds === null ? 'not measured yet' : formatSeconds(e.seconds)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      <div className="start-row">
        <button type="button" className="primary" disabled={running || built.trials.length === 0} onClick={go}>Start sweep</button>
        {running ? <span className="muted small">A sweep is running: pause it in the queue below to start another.</span> : null}
      </div>
    </section>
  );
}
