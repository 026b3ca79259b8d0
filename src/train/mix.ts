// The Distilling Step-by-Step mix, owned by the run: loss = a * L_label + (1 - a) * L_rationale. a = 1 is the
// label-only ablation (no rationale pass at all).
import type { DssBatch } from '../model/batch';
import type { TaskLosses, TaskWeights } from '../model/dss-step';

export interface MixedLosses extends TaskLosses {
  total: number;
}

export function taskWeights(a: number): TaskWeights {
  if (!(a >= 0 && a <= 1)) throw new Error(`the loss weight a must be in [0, 1], got ${a}`);
  return { label: a, rationale: 1 - a };
}

export function mixLosses(a: number, l: TaskLosses): MixedLosses {
  const total = l.rationale === null ? l.label : a * l.label + (1 - a) * l.rationale;
  return { ...l, total };
}

/** The batch a run with mix a feeds the model: the rationale task only when it has weight. */
export function forMix(a: number, batch: DssBatch): DssBatch {
  return a < 1 && batch.rationale ? { label: batch.label, rationale: batch.rationale } : { label: batch.label };
}
