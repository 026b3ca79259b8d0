// The numbers on a run's progress bar: epoch and step done of planned, training time so far and an ETA from the
// pace of the steps measured so far (pauses excluded, since elapsed_s counts training time only).
import type { RunRecord, StepMetrics } from '../../engine/run-api';

export interface RunProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  totalEpochs: number;
  elapsedS: number;
  /** null until a step has been timed. */
  etaS: number | null;
  /** 0..1 */
  fraction: number;
}

export function runProgress(record: Pick<RunRecord, 'step' | 'totalSteps' | 'epoch' | 'trainSeconds' | 'config'> & { plan?: Pick<RunRecord['plan'], 'stepsPerEpoch'> }, last?: StepMetrics | null): RunProgress {
  const step = Math.max(record.step, last?.step ?? 0);
  const epoch = Math.max(record.epoch, last?.epoch ?? 0);
  const elapsedS = Math.max(record.trainSeconds, last?.elapsed_s ?? 0);
  const totalSteps = Math.max(record.totalSteps, step);
  const etaS = step > 0 && elapsedS > 0 ? (elapsedS / step) * (totalSteps - step) : null;
  // Max steps may end a run before its epochs do: the epochs it will actually see.
  const perEpoch = record.plan?.stepsPerEpoch ?? 0;
  const totalEpochs = perEpoch > 0 ? Math.min(record.config.epochs, Math.round((100 * totalSteps) / perEpoch) / 100) : record.config.epochs;
  return { step, totalSteps, epoch, totalEpochs, elapsedS, etaS, fraction: totalSteps > 0 ? step / totalSteps : 0 };
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "Epoch 1.50 of 3 · step 12 of 24 · 0:32 elapsed · about 0:30 left" */
export function progressText(p: RunProgress): string {
  const eta = p.etaS === null ? 'time left unknown until the first step' : `about ${formatDuration(p.etaS)} left`;
  return `Epoch ${p.epoch.toFixed(2)} of ${p.totalEpochs} · step ${p.step} of ${p.totalSteps} · ${formatDuration(p.elapsedS)} elapsed · ${eta}`;
}
