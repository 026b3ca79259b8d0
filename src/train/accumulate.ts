// One optimizer step over micro-batches, as HF Trainer does gradient accumulation: each micro-batch's
// loss is divided by the number of micro-batches, gradients add up, then clip and AdamW once.
import type { DssBatch } from '../model/batch';
import type { DssLosses, DssStep } from '../model/dss-step';
import type { ParameterStore } from '../model/parameters';
import type { AdamW } from './optimizer';

export interface OptimizerStepResult {
  /** Mean over the micro-batches of each loss. */
  losses: DssLosses;
  gradNorm: number;
}

export async function optimizerStep(
  step: DssStep,
  params: ParameterStore,
  opt: AdamW,
  microBatches: DssBatch[],
  o: { seed: number; lr?: number },
): Promise<OptimizerStepResult> {
  if (microBatches.length === 0) throw new Error('an optimizer step needs at least one micro-batch');
  params.zeroGrads();
  const k = microBatches.length;
  const all: DssLosses[] = [];
  for (let i = 0; i < k; i++) {
    // Distinct dropout masks per micro-batch: seeds are spaced so (seed, micro) never collide across steps.
    all.push(await step.run(microBatches[i], { train: true, backward: true, seed: o.seed * 1024 + i, gradMultiplier: 1 / k }));
  }
  opt.apply(o.lr);
  const mean = (f: (l: DssLosses) => number) => all.reduce((a, l) => a + f(l), 0) / k;
  const losses: DssLosses = {
    label: mean((l) => l.label),
    rationale: all[0].rationale === null ? null : mean((l) => l.rationale ?? 0),
    total: mean((l) => l.total),
    labelTokens: all.reduce((a, l) => a + l.labelTokens, 0),
    rationaleTokens: all.reduce((a, l) => a + l.rationaleTokens, 0),
  };
  return { losses, gradNorm: await opt.gradNorm() };
}
