// One Distilling Step-by-Step step: the label task and the rationale task through the same model, with
// loss = a * L_label + (1 - a) * L_rationale, each L the mean token cross-entropy of its task. a = 1 skips the
// rationale pass entirely. Gradients accumulate into the parameters' grads (zero them per optimizer step).
import type { Gpu } from '../gpu/gpu';
import type { Tensor } from '../gpu/tensor';
import { prepareTask, type DssBatch, type PreparedTask } from './batch';
import type { T5Model } from './t5-model';
import { T5Runner } from './t5-runner';

export interface DssLosses {
  label: number;
  rationale: number | null;
  total: number;
  /** Tokens that counted in each mean. */
  labelTokens: number;
  rationaleTokens: number;
}

export interface DssStepOptions {
  train: boolean;
  backward: boolean;
  seed: number;
  /** Multiplies the gradients (1 / accumulation steps when micro-batches add up to one optimizer step). */
  gradMultiplier?: number;
}

export function prepareDss(model: T5Model, batch: DssBatch): { label: PreparedTask; rationale: PreparedTask | null } {
  const d = model.dims;
  const label = prepareTask(batch.label, 'label', d.V, d.decoderStart, d.pad);
  if (batch.alpha < 1 && !batch.rationale) throw new Error(`alpha ${batch.alpha} < 1 mixes in a rationale loss, but the batch has no "rationale" task`);
  const rationale = batch.alpha < 1 ? prepareTask(batch.rationale!, 'rationale', d.V, d.decoderStart, d.pad) : null;
  return { label, rationale };
}

export class DssStep {
  private readonly lossSums: [Tensor, Tensor];

  constructor(
    private readonly gpu: Gpu,
    private readonly model: T5Model,
    readonly runner: T5Runner,
  ) {
    this.lossSums = [gpu.tensor([1], 'f32', 'scratch', 'loss_sum.label'), gpu.tensor([1], 'f32', 'scratch', 'loss_sum.rationale')];
  }

  /** Records the step's GPU work; the returned promise resolves when its losses are read back. */
  async run(batch: DssBatch, o: DssStepOptions): Promise<DssLosses> {
    const { label, rationale } = prepareDss(this.model, batch);
    const a = batch.alpha;
    const tasks: [PreparedTask, number][] = [[label, a]];
    if (rationale) tasks.push([rationale, 1 - a]);
    tasks.forEach(([task, weight], i) => {
      // An all -100 task contributes nothing (HF would give NaN; a mix must not be poisoned by an empty task).
      const gradScale = task.targetCount > 0 ? ((o.gradMultiplier ?? 1) * weight) / task.targetCount : 0;
      this.runner.run(task, { train: o.train, seed: o.seed, task: i, gradScale, backward: o.backward && task.targetCount > 0 }, this.lossSums[i]);
    });
    const sums = await Promise.all(tasks.map((_, i) => this.gpu.readF32(this.lossSums[i])));
    const labelLoss = label.targetCount > 0 ? sums[0][0] / label.targetCount : NaN;
    const rationaleLoss = rationale ? (rationale.targetCount > 0 ? sums[1][0] / rationale.targetCount : NaN) : null;
    const total = rationaleLoss === null ? labelLoss : a * labelLoss + (1 - a) * rationaleLoss;
    return { label: labelLoss, rationale: rationaleLoss, total, labelTokens: label.targetCount, rationaleTokens: rationale?.targetCount ?? 0 };
  }

  free(): void {
    this.gpu.free(...this.lossSums);
  }
}
