import type { RunRecord, StepMetrics } from '../../engine/run-api';
import { progressText, runProgress } from './progress';

/** Epoch and step of planned, training time and ETA, as a progressbar (the tests and screen readers read it). */
export function RunProgressBar({ run, last }: { run: RunRecord; last: StepMetrics | null }) {
  const p = runProgress(run, last && last.step >= run.step ? last : null);
  const text = progressText(p);
  return (
    <div className="run-progress">
      <div
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={p.totalSteps}
        aria-valuenow={p.step}
        aria-valuetext={text}
        className="bar"
      >
        <div className="fill" style={{ width: `${(100 * p.fraction).toFixed(1)}%` }} />
      </div>
      <p className="small" data-testid="progress-text">
        {text}
      </p>
    </div>
  );
}
