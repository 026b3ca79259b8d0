// One Distilling Step-by-Step step: the label task and, when the batch has one, the rationale task through the same
// model; each loss is the mean token cross-entropy of its task. The run owns the mix a (src/train/mix.ts): it passes
// each task's gradient weight (a, 1 - a) and mixes the returned losses; a label-only run leaves the rationale task
// out of the batch. Gradients accumulate into the parameters' grads (zero them per optimizer step).
import type { Gpu } from '../gpu/gpu';
import type { Tensor } from '../gpu/tensor';
import { prepareTask, type DssBatch, type PreparedTask } from './batch';
import type { T5Model } from './t5-model';
import { T5Runner } from './t5-runner';

/** The two task losses of one step (mean token cross-entropy each); rationale is null when the batch had none. */
export interface TaskLosses {
  label: number;
  rationale: number | null;
  /** Tokens that counted in each mean. */
  labelTokens: number;
  rationaleTokens: number;
}

/** Multipliers of each task's mean loss in the backward pass (the run's mix: a and 1 - a). */
export interface TaskWeights {
  label: number;
  rationale: number;
}

export interface DssStepOptions {
  train: boolean;
  backward: boolean;
  seed: number;
  /** Gradient weight of each task's mean loss. */
  weights: TaskWeights;
  /** Multiplies the gradients (1 / accumulation steps when micro-batches add up to one optimizer step). */
  gradMultiplier?: number;
}

export function prepareDss(model: T5Model, batch: DssBatch): { label: PreparedTask; rationale: PreparedTask | null } {
  const d = model.dims;
  const label = prepareTask(batch.label, 'label', d.V, d.decoderStart, d.pad);
  const rationale = batch.rationale ? prepareTask(batch.rationale, 'rationale', d.V, d.decoderStart, d.pad) : null;
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
  async run(batch: DssBatch, o: DssStepOptions): Promise<TaskLosses> {
    const { label, rationale } = prepareDss(this.model, batch);
    const tasks: [PreparedTask, number][] = [[label, o.weights.label]];
    if (rationale) tasks.push([rationale, o.weights.rationale]);
    tasks.forEach(([task, weight], i) => {
      // An all -100 task contributes nothing (HF would give NaN; a mix must not be poisoned by an empty task).
      const gradScale = task.targetCount > 0 ? ((o.gradMultiplier ?? 1) * weight) / task.targetCount : 0;
      this.runner.run(task, { train: o.train, seed: o.seed, task: i, gradScale, backward: o.backward && task.targetCount > 0 }, this.lossSums[i]);
    });
    const sums = await Promise.all(tasks.map((_, i) => this.gpu.readF32(this.lossSums[i])));
    const labelLoss = label.targetCount > 0 ? sums[0][0] / label.targetCount : NaN;
    const rationaleLoss = rationale ? (rationale.targetCount > 0 ? sums[1][0] / rationale.targetCount : NaN) : null;
    return { label: labelLoss, rationale: rationaleLoss, labelTokens: label.targetCount, rationaleTokens: rationale?.targetCount ?? 0 };
  }

  free(): void {
    this.gpu.free(...this.lossSums);
  }
}
