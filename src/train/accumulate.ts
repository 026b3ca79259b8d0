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
  const all: TaskLosses[] = [];
  for (let i = 0; i < k; i++) {
    // Distinct dropout masks per micro-batch: seeds are spaced so (seed, micro) never collide across steps.
    all.push(await step.run(forMix(o.a, microBatches[i]), { train: true, backward: true, seed: o.seed * 1024 + i, weights, gradMultiplier: 1 / k }));
  }
  opt.apply(o.lr);
  const mean = (f: (l: TaskLosses) => number) => all.reduce((s, l) => s + f(l), 0) / k;
  const losses = mixLosses(o.a, {
    label: mean((l) => l.label),
    rationale: all[0].rationale === null ? null : mean((l) => l.rationale ?? 0),
    labelTokens: all.reduce((s, l) => s + l.labelTokens, 0),
    rationaleTokens: all.reduce((s, l) => s + l.rationaleTokens, 0),
  });
  return { losses, gradNorm: await opt.gradNorm() };
}
