import { useMemo, useState } from 'react';
import { recommend, type MethodEstimates } from '../../experiments/recommend';
import type { ResultRow } from '../../experiments/results';
import { estimateMemory, passRows } from '../../settings/memory-estimate';
import { T5_PRESETS } from '../../settings/models';
import { useTrain } from '../train/use-train';

/** Memory and time budget in, method / rank / alpha out, with the numbers behind the choice. */
export function RecommenderPanel({ rows }: { rows: ResultRow[] }) {
  const [gib, setGib] = useState('8');
  const [hours, setHours] = useState('4');
  const [model, setModel] = useState('google/flan-t5-base');
  const config = useTrain((s) => s.config);
  const answer = useMemo(() => {
    try {
      const preset = T5_PRESETS[model];
      const shape = { batch: passRows(config.batchSize, config.a), inputLength: config.maxInputLength, targetLength: config.maxTargetLength };
      const estimates: MethodEstimates | undefined = preset
        ? { memoryBytes: { full: estimateMemory(preset, { ...shape, method: 'full' }).total, lora: estimateMemory(preset, { ...shape, method: 'lora', loraRank: 128 }).total, qlora: estimateMemory(preset, { ...shape, method: 'qlora', loraRank: 128 }).total } }
        : undefined;
      const name = model.split('/').pop();
      const measured = rows.some((r) => r.model === name) ? name : undefined;
      return recommend(rows, { memoryBytes: Number(gib) * 2 ** 30, seconds: hours.trim() ? Number(hours) * 3600 : Infinity }, estimates, measured);
    } catch (e) {
      return (e as Error).message;
    }
  }, [rows, gib, hours, model, config]);
  return (
    <section className="panel" aria-labelledby="recommender-title">
      <h2 id="recommender-title">Recommender</h2>
      <p className="muted small">Method, rank and alpha for a budget: from the measured runs above (this sweep and an imported one), or the paper's guidance when there are none.</p>
      <div className="field-grid">
        <label className="field"><span>Model</span><select value={model} onChange={(e) => setModel(e.target.value)}>{Object.keys(T5_PRESETS).map((id) => <option key={id}>{id}</option>)}</select></label>
        <label className="field"><span>GPU memory budget (GiB)</span><input value={gib} onChange={(e) => setGib(e.target.value)} /></label>
        <label className="field"><span>Time budget (hours)</span><input value={hours} onChange={(e) => setHours(e.target.value)} /></label>
      </div>
      {typeof answer === 'string' ? <p className="error" role="alert">{answer}</p> : (
        <div data-testid="recommendation">
          <p><strong>{answer.method === 'full' ? 'Full fine-tuning' : `${answer.method === 'lora' ? 'LoRA' : 'QLoRA'}, rank ${answer.rank}, alpha ${answer.alpha}`}</strong> ({answer.source === 'measured' ? 'from measured runs' : "the paper's guidance"}{answer.fits ? '' : '; nothing fits the budget'})</p>
          <ul>{answer.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
        </div>
      )}
    </section>
  );
}
