// One Distilling Step-by-Step step: the label task and, when the batch has one, the rationale task through the same
// model; each loss is the mean token cross-entropy of its task. The run owns the mix a (src/train/mix.ts): it passes
// each task's gradient weight (a, 1 - a) and mixes the returned losses; a label-only run leaves the rationale task
// out of the batch. Gradients accumulate into the parameters' grads (zero them per optimizer step).
// Both tasks run as one pass over their stacked rows when the runner's records hold them (dssPassBatch sizes them):
// every kernel dispatches once for the two tasks instead of twice, for twice the activation memory.
import type { Gpu } from '../gpu/gpu';
import { ReadbackSlots } from '../gpu/readback-slots';
import type { Tensor } from '../gpu/tensor';
import { joinTasks, jointShape, prepareTask, type DssBatch, type PreparedTask } from './batch';
import type { T5Dims } from './dims';
import type { PassShape } from './records';
import type { T5Model } from './t5-model';
import { T5Runner, type LossSegment } from './t5-runner';

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

/** Device limits a pass's largest buffer must fit (GPUSupportedLimits, or the engine's copy of them). */
interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/**
 * Rows the runner's records hold for DSS batches of `batch` examples: 2 x batch when the step has both tasks and the
 * joint pass's logits (its largest buffer, rows x target length x vocabulary) fit one binding, else batch (one
 * pass per task).
 */
export function dssPassBatch(limits: BufferLimits, shape: { batch: number; targetLength: number; vocab: number }, bothTasks: boolean): number {
  const jointLogitsBytes = 4 * 2 * shape.batch * shape.targetLength * shape.vocab;
  return bothTasks && jointLogitsBytes <= Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) ? 2 * shape.batch : shape.batch;
}

/** The records' capacity for DSS batches of up to shape.B examples, by dssPassBatch on this device's limits. */
export function dssCapacity(gpu: Gpu, dims: T5Dims, shape: PassShape, bothTasks: boolean): PassShape {
  return { ...shape, B: dssPassBatch(gpu.device.limits, { batch: shape.B, targetLength: shape.Tout, vocab: dims.V }, bothTasks) };
}

export function prepareDss(model: T5Model, batch: DssBatch): { label: PreparedTask; rationale: PreparedTask | null } {
  const d = model.dims;
  const label = prepareTask(batch.label, 'label', d.V, d.decoderStart, d.pad);
  const rationale = batch.rationale ? prepareTask(batch.rationale, 'rationale', d.V, d.decoderStart, d.pad) : null;
  return { label, rationale };
}

export class DssStep {
  private readonly lossSums: [Tensor, Tensor];
  /** run()'s own slots: both loss sums in one readback. */
  private readonly slots: ReadbackSlots;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: T5Model,
    readonly runner: T5Runner,
  ) {
    this.lossSums = [gpu.tensor([1], 'f32', 'scratch', 'loss_sum.label'), gpu.tensor([1], 'f32', 'scratch', 'loss_sum.rationale')];
    this.slots = new ReadbackSlots(gpu, 2, 'loss_sums');
  }

  /** Records the step's GPU work, each task's loss sum copied into a slot; the promise resolves when they are read. */
  async run(batch: DssBatch, o: DssStepOptions): Promise<TaskLosses> {
    this.slots.reset();
    const losses = this.record(batch, o, this.slots);
    return losses(await this.slots.read());
  }

  /**
   * Records the step's GPU work without reading anything: the loss sums land in slots (one per task), and the returned
   * function turns the slots' values, once read, into the losses. Several steps (micro-batches) can share one read.
   */
  record(batch: DssBatch, o: DssStepOptions, slots: ReadbackSlots): (values: Float32Array) => TaskLosses {
    const { label, rationale } = prepareDss(this.model, batch);
    const tasks: [PreparedTask, number][] = [[label, o.weights.label]];
    if (rationale) tasks.push([rationale, o.weights.rationale]);
    // An all -100 task contributes nothing (HF would give NaN; a mix must not be poisoned by an empty task).
    const gradScale = (task: PreparedTask, weight: number) => (task.targetCount > 0 ? ((o.gradMultiplier ?? 1) * weight) / task.targetCount : 0);
    const pass = (task: PreparedTask, i: number, segments: LossSegment[]) =>
      this.runner.run(task, { train: o.train, seed: o.seed, task: i, backward: o.backward && task.targetCount > 0 }, segments);
    let at: number[];
    if (rationale && this.runner.records.fits(jointShape(label, rationale))) {
      const joint = joinTasks(label, rationale, this.model.dims.pad);
      pass(joint, 0, tasks.map(([task, weight], i) => ({ rows: task.B * joint.Tout, gradScale: gradScale(task, weight), sum: this.lossSums[i] })));
      at = tasks.map((_, i) => slots.take(this.lossSums[i]));
    } else {
      at = tasks.map(([task, weight], i) => {
        pass(task, i, [{ rows: task.B * task.Tout, gradScale: gradScale(task, weight), sum: this.lossSums[i] }]);
        // Copied out at once: the next task or micro-batch reuses the loss sum buffer.
        return slots.take(this.lossSums[i]);
      });
    }
    return (values) => {
      const labelLoss = label.targetCount > 0 ? values[at[0]] / label.targetCount : NaN;
      const rationaleLoss = rationale ? (rationale.targetCount > 0 ? values[at[1]] / rationale.targetCount : NaN) : null;
      return { label: labelLoss, rationale: rationaleLoss, labelTokens: label.targetCount, rationaleTokens: rationale?.targetCount ?? 0 };
    };
  }

  free(): void {
    this.gpu.free(...this.lossSums);
    this.slots.free();
  }
}
