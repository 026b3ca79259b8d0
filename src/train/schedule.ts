// Learning-rate schedules of a run. constant / linear / cosine follow Hugging Face's get_*_schedule_with_warmup
// (linear warmup from 0 over warmupSteps, then flat, linear to 0, or a half cosine to 0 at totalSteps) and are a
// function of the step alone. plateau is PyTorch's ReduceLROnPlateau on eval loss (mode min, threshold 1e-4
// relative, cooldown 0, min_lr 0, eps 1e-8): it carries state, which a checkpoint saves and a resume restores.
import type { LrSchedule } from '../settings/run-config';

export interface ScheduleState {
  /** Current lr of the plateau schedule (peak lr for the others). */
  lr: number;
  /** Best eval loss seen by the plateau schedule (Infinity before the first evaluation). */
  best: number | null;
  /** Evaluations since the last improvement (PyTorch's num_bad_epochs). */
  bad: number;
}

export interface ScheduleOptions {
  kind: LrSchedule;
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  patience: number;
  factor: number;
}

const THRESHOLD = 1e-4;
const EPS = 1e-8;

export class LrScheduler {
  private state: ScheduleState;

  constructor(private readonly o: ScheduleOptions, state?: ScheduleState) {
    this.state = state ? { ...state } : { lr: o.lr, best: null, bad: 0 };
  }

  /** The lr of optimizer step `step` (1-based: the first update is step 1). */
  lrAt(step: number): number {
    const { kind, lr, warmupSteps, totalSteps } = this.o;
    if (kind === 'plateau') return this.state.lr;
    const done = step - 1; // HF's scheduler sees the count of steps already taken
    if (done < warmupSteps) return (lr * done) / Math.max(1, warmupSteps);
    if (kind === 'constant') return lr;
    const progress = (done - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    if (kind === 'linear') return lr * Math.max(0, 1 - progress);
    return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  /** Feed an eval loss (plateau only); true when the lr was cut. */
  onEval(loss: number): boolean {
    if (this.o.kind !== 'plateau') return false;
    const s = this.state;
    if (s.best === null || loss < s.best * (1 - THRESHOLD)) {
      s.best = loss;
      s.bad = 0;
      return false;
    }
    s.bad += 1;
    if (s.bad <= this.o.patience) return false;
    s.bad = 0;
    const next = s.lr * this.o.factor;
    if (s.lr - next <= EPS) return false;
    s.lr = next;
    return true;
  }

  get saved(): ScheduleState {
    return { ...this.state };
  }
}
