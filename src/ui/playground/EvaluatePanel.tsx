import { useEffect } from 'react';
import { EvalSampleView } from './EvalSampleView';
import { StoredEvaluations } from './StoredEvaluations';
import { useAnswerWith } from './answer-with';
import { useEvalPanel } from './use-eval-panel';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Evaluate the loaded model on a dataset's eval split: metrics table and every sample. */
export function EvaluatePanel({ modelLabel }: { modelLabel: string | null }) {
  const s = useEvalPanel();
  useEffect(() => {
    void useEvalPanel.getState().refresh();
  }, []);
  const p = s.running?.progress;
  const r = s.report;
  const chosen = useAnswerWith((a) => a.chosen());
  return (
    <section className="eval-panel" aria-label="Evaluate on a dataset">
      <h2>Evaluate</h2>
      <p className="muted">Generates labels (and rationales) for a dataset's eval split with what “Answer with” names above; a run checkpoint's results are kept with the run (shown here and on the Export page).</p>
      <div className="inline-form">
        <label>
          Dataset{' '}
          <select value={s.datasetId ?? ''} onChange={(e) => s.set({ datasetId: e.target.value || null })}>
            {s.datasets.length === 0 ? <option value="">(no datasets)</option> : null}
            {s.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Eval rows (0 = all) <input type="number" min={0} value={s.limit} onChange={(e) => s.set({ limit: Math.max(0, Number(e.target.value) || 0) })} />
        </label>
        <label>
          Eval max new tokens <input type="number" min={1} max={512} value={s.maxNewTokens} onChange={(e) => s.set({ maxNewTokens: Math.min(512, Math.max(1, Number(e.target.value) || 1)) })} />
        </label>
        <label>
          Eval beams <input type="number" min={1} max={8} value={s.numBeams} onChange={(e) => s.set({ numBeams: Math.min(8, Math.max(1, Number(e.target.value) || 1)) })} />
        </label>
        <label>
          <input type="checkbox" checked={s.constrained} onChange={(e) => s.set({ constrained: e.target.checked })} /> JSON-constrained labels
        </label>
        <label>
          <input type="checkbox" checked={s.rationales} onChange={(e) => s.set({ rationales: e.target.checked })} /> rationales
        </label>
        <button type="button" className="primary" disabled={!!s.running || !modelLabel || !s.datasetId} onClick={() => void s.run()}>
          Evaluate
        </button>
        <button type="button" disabled={!s.running || s.running.cancelling} onClick={() => void s.cancel()}>
          Cancel evaluation
        </button>
      </div>
      {s.running ? (
        <p className="muted" data-testid="eval-progress">
          {p ? `${p.phase === 'label' ? 'Labels' : 'Rationales'}: ${p.done} / ${p.total} rows, ${Math.round(p.tokens)} tokens, ${(p.elapsedMs / 1000).toFixed(0)} s` : 'Starting…'}
          {s.running.cancelling ? ' (cancelling…)' : ''}
        </p>
      ) : null}
      {s.error ? <p className="error" role="alert">{s.error}</p> : null}
      {r ? (
        <div data-testid="eval-report">
          <p className="muted">
            {modelLabel ?? 'model'} on {r.summary.samples} of {r.evalRows} eval rows of {r.dataset}; {r.options.numBeams > 1 ? `beam ${r.options.numBeams}` : 'greedy'}, {r.options.maxNewTokens} new tokens
            {r.options.constrained ? ', JSON-constrained' : ''}. BLEU/TER as sacreBLEU (13a; tercom normalised, case kept).
          </p>
          <table className="eval-summary" data-testid="eval-summary">
            <tbody>
              <tr><th>Exact match</th><td>{pct(r.summary.exactMatch)}</td></tr>
              <tr><th>JSON validity</th><td>{pct(r.summary.jsonValidity)}</td></tr>
              <tr><th>Query DSL validity</th><td>{pct(r.summary.dslValidity)}</td></tr>
              <tr><th>Label BLEU</th><td>{r.summary.labelBleu.toFixed(2)}</td></tr>
              <tr><th>Label TER</th><td>{r.summary.labelTer.toFixed(2)}</td></tr>
              <tr><th>Rationale BLEU</th><td>{r.summary.rationaleBleu === null ? '—' : `${r.summary.rationaleBleu.toFixed(2)} (${r.summary.rationaleSamples} rows)`}</td></tr>
              <tr><th>Labels cut off</th><td>{r.labelsCutOff}</td></tr>
              <tr><th>Label generation</th><td>{r.labelTokens > 0 ? `${(r.labelMillis / r.labelTokens).toFixed(1)} ms/token${r.options.constrained ? ` (constraint ${(r.constraintMillis / r.labelTokens).toFixed(2)} ms/token)` : ''}` : '—'}</td></tr>
            </tbody>
          </table>
          <details>
            <summary>Samples ({r.samples.length})</summary>
            <ol className="eval-samples">
              {r.samples.map((x) => (
                <EvalSampleView key={x.id} s={x} />
              ))}
            </ol>
          </details>
        </div>
      ) : null}
      {chosen.kind === 'run' ? <StoredEvaluations runId={chosen.runId} version={r?.runId === chosen.runId ? r.labelMillis : 0} /> : null}
    </section>
  );
}
