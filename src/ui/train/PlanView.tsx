import type { RunPlan } from '../../engine/run-api';
import { formatBytes } from '../format';

const count = (n: number) => n.toLocaleString('en-US');

/** How a micro-batch runs: the tasks in one pass (twice the activations), a pass per task, or the label task alone. */
function passesText(plan: RunPlan): string {
  const m = plan.memory;
  if (m.passes === 2) return `a pass per task of ${count(m.sequencesPerPass)} sequences each: both tasks' logits together would exceed this GPU's ${formatBytes(Math.min(m.maxBufferSize, m.maxStorageBufferBindingSize))} per buffer`;
  if (m.sequencesPerPass > plan.config.batchSize) return `label and rationale tasks in one pass of ${count(m.sequencesPerPass)} sequences per micro-batch (half the GPU dispatches of a pass per task, twice the activations)`;
  return `one pass of ${count(m.sequencesPerPass)} sequences per micro-batch (label task only)`;
}

/** What the run will do, before it starts: rows, what was left out and why, truncations, memory against the limits. */
export function PlanView({ plan, testId = 'run-plan', title = 'Plan' }: { plan: RunPlan; testId?: string; title?: string }) {
  const d = plan.data;
  const m = plan.memory;
  const truncations = [
    [d.labelInputsTruncated, 'questions cut to the max input length (label task)'],
    [d.rationaleInputsTruncated, 'questions cut to the max input length (rationale task)'],
    [d.labelTargetsTruncated, 'labels cut to the max target length'],
    [d.rationaleTargetsTruncated, 'rationales cut to the max target length'],
  ] as const;
  return (
    <section className="plan" aria-label={title} data-testid={testId}>
      <h3>{title} {m.fits ? null : <span className="error">— will not fit</span>}</h3>
      <dl>
        <dt>Rows</dt>
        <dd>
          {count(d.rowsGiven)} given → {count(d.trainRows)} train, {count(d.evalRows)} eval
          {d.skipped.length > 0 ? `, ${count(d.skipped.length)} skipped` : ''}
        </dd>
        <dt>Steps</dt>
        <dd>
          {count(plan.stepsPerEpoch)} per epoch, {count(plan.totalSteps)} in all
        </dd>
        <dt>Parameters</dt>
        <dd>
          {count(plan.trainableParams)} trainable of {count(plan.totalParams)} ({((100 * plan.trainableParams) / Math.max(1, plan.totalParams)).toFixed(2)}%)
        </dd>
        <dt>Passes</dt>
        <dd>{passesText(plan)}</dd>
        <dt>GPU memory (estimate)</dt>
        <dd>
          {formatBytes(m.estimate.total)}: weights {formatBytes(m.estimate.weights)}, grads {formatBytes(m.estimate.grads)}, optimizer {formatBytes(m.estimate.optimizer)}, activations{' '}
          {formatBytes(m.estimate.activations)}
        </dd>
        <dt>Largest buffer</dt>
        <dd>
          {m.largestBuffer.what}: {formatBytes(m.largestBuffer.bytes)} (this device allows {formatBytes(m.maxBufferSize)} per buffer, {formatBytes(m.maxStorageBufferBindingSize)} per binding)
        </dd>
      </dl>
      {!m.fits ? <p className="error">{m.reason ?? 'The estimate is above this device’s limits.'} Try a smaller batch, shorter max lengths, or QLoRA.</p> : null}
      {d.labelOnly ? <p className="warning">No row has a rationale: this run trains the label task only (a = 1).</p> : null}
      {d.addedCharacters.length > 0 ? (
        <p className="muted">
          The tokenizer gains {d.addedCharacters.map((c) => `“${c}”`).join(' ')} so JSON labels tokenize losslessly; their embedding rows train with the run.
        </p>
      ) : null}
      {d.invalidLabels > 0 ? <p className="warning">{count(d.invalidLabels)} labels are not valid Query DSL for the index (kept: they are the teacher’s; review them on the Datasets page).</p> : null}
      {truncations.some(([n]) => n > 0) ? (
        <ul className="warning">
          {truncations
            .filter(([n]) => n > 0)
            .map(([n, what]) => (
              <li key={what}>
                {count(n)} {what}
              </li>
            ))}
        </ul>
      ) : null}
      {d.skipped.length > 0 ? (
        <details>
          <summary>{count(d.skipped.length)} rows skipped, with reasons</summary>
          <ul className="small">
            {d.skipped.slice(0, 50).map((s) => (
              <li key={s.rowId}>
                <code>{s.rowId}</code>: {s.reason}
              </li>
            ))}
            {d.skipped.length > 50 ? <li>… and {count(d.skipped.length - 50)} more</li> : null}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
