// One optimizer step over micro-batches, as HF Trainer does gradient accumulation: each micro-batch's
// loss is divided by the number of micro-batches, gradients add up, then clip and AdamW once.
import type { DssBatch } from '../model/batch';
import type { DssStep, TaskLosses } from '../model/dss-step';
import type { ParameterStore } from '../model/parameters';
import { forMix, mixLosses, taskWeights, type MixedLosses } from './mix';
import type { AdamW } from './optimizer';

export interface OptimizerStepResult {
  /** Mean over the micro-batches of each loss. */
  losses: MixedLosses;
  gradNorm: number;
  /** The loss or the gradient norm was not finite (NaN, Inf): no update was applied and AdamW's step did not advance. */
  skipped: boolean;
}

export async function optimizerStep(
  step: DssStep,
  params: ParameterStore,
  opt: AdamW,
  microBatches: DssBatch[],
  o: { seed: number; lr?: number; a: number },
): Promise<OptimizerStepResult> {
  if (microBatches.length === 0) throw new Error('an optimizer step needs at least one micro-batch');
  params.zeroGrads();
  const k = microBatches.length;
  const weights = taskWeights(o.a);
  // Every micro-batch's loss sums and the grad norm land in one buffer, read once after the update is recorded.
  const slots = opt.stepSlots(2 * k + 1);
  const pending = microBatches.map((batch, i) =>
    // Distinct dropout masks per micro-batch: seeds are spaced so (seed, micro) never collide across steps.
    step.record(forMix(o.a, batch), { train: true, backward: true, seed: o.seed * 1024 + i, weights, gradMultiplier: 1 / k }, slots),
  );
  opt.measure();
  const gradNorm = opt.recordGradNorm(slots);
  // Read before the update: a non-finite loss or norm (an overflow, a poisoned batch) would put NaN into every weight
  // and moment, so such a step keeps the weights, the moments and AdamW's step as they were.
  const values = await slots.read();
  const all: TaskLosses[] = pending.map((losses) => losses(values));
  const mean = (f: (l: TaskLosses) => number) => all.reduce((s, l) => s + f(l), 0) / k;
  const losses = mixLosses(o.a, {
    label: mean((l) => l.label),
    rationale: all[0].rationale === null ? null : mean((l) => l.rationale ?? 0),
    labelTokens: all.reduce((s, l) => s + l.labelTokens, 0),
    rationaleTokens: all.reduce((s, l) => s + l.rationaleTokens, 0),
  });
  const norm = gradNorm(values);
  const skipped = !Number.isFinite(norm) || !Number.isFinite(losses.total);
  if (!skipped) opt.update(o.lr);
  return { losses, gradNorm: norm, skipped };
}
