// AdamW over the trainable parameters, as HF Trainer runs it: clip the global gradient norm, decoupled weight
// decay on matrices only (no layer norms, nothing named "bias"), bias corrections on the host.
// The parameters are packed into arenas (ParameterStore.packTrainable) with their moments laid out alike, so the
// gradient norm and the update take a few dispatches per arena, however many parameters there are.
import type { Gpu } from '../gpu/gpu';
import { adamwStep } from '../gpu/kernels/adamw';
import { clipScale, sumOfSquaresOf } from '../gpu/kernels/grad-norm';
import { ReadbackSlots } from '../gpu/readback-slots';
import type { Tensor } from '../gpu/tensor';
import type { ParameterStore, TrainableArena } from '../model/parameters';

export interface AdamWConfig {
  /** Learning rate (the paper: 5e-5). */
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay for matrices. */
  weightDecay: number;
  /** Global-norm clip; 0 disables (HF default 1.0). */
  maxGradNorm: number;
}

export const ADAMW_DEFAULTS: AdamWConfig = { lr: 5e-5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1.0 };

/** An arena of parameters and its moments, laid out as the arena. */
interface Moments {
  arena: TrainableArena;
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  private readonly moments: Moments[];
  private readonly sumsq: Tensor;
  private readonly scale: Tensor;
  /** What one optimizer step reads back (every micro-batch's loss sums, the grad norm), kept across steps. */
  private readonly slots: ReadbackSlots;
  step = 0;

  constructor(
    private readonly gpu: Gpu,
    params: ParameterStore,
    readonly config: AdamWConfig,
    /** Bytes per arena; PACK_ARENA_BYTES by default (tests make it small to get several arenas). */
    arenaBytes?: number,
  ) {
    this.moments = params.packTrainable(arenaBytes).map((arena, i) => {
      const m = gpu.tensor([arena.size], 'f32', 'optimizer', `adam_m#${i}`);
      const v = gpu.tensor([arena.size], 'f32', 'optimizer', `adam_v#${i}`);
      gpu.zero(m);
      gpu.zero(v);
      return { arena, m, v };
    });
    this.sumsq = gpu.tensor([1], 'f32', 'scratch', 'grad_norm.sumsq');
    this.scale = gpu.tensor([1], 'f32', 'scratch', 'grad_norm.scale');
    this.slots = new ReadbackSlots(gpu, 8, 'optimizer_step.results');
  }

  /** The step's readback slots, emptied, with room for at least capacity values. */
  stepSlots(capacity: number): ReadbackSlots {
    this.slots.reset(capacity);
    return this.slots;
  }

  /** Record the global norm (before clipping) of the last apply() into slots; the function reads it from their values. */
  recordGradNorm(slots: ReadbackSlots): (values: Float32Array) => number {
    const at = slots.take(this.sumsq);
    return (values) => Math.sqrt(values[at]);
  }

  /** Clip, then update every trainable parameter; the global norm (before clipping) is readable with gradNorm(). */
  apply(lr = this.config.lr): void {
    this.measure();
    this.update(lr);
  }

  /** The global norm's sum of squares and the clip scale of the gradients held now (record it with recordGradNorm). */
  measure(): void {
    const gpu = this.gpu;
    // Padding between parameters is zero, so each arena's gradients are summed whole.
    sumOfSquaresOf(gpu, this.sumsq, this.moments.map(({ arena }) => arena.grads));
    clipScale(gpu, this.scale, this.sumsq, this.config.maxGradNorm > 0 ? this.config.maxGradNorm : Infinity);
  }

  /** AdamW on every trainable parameter with the clip scale of the last measure(); AdamW's step advances. */
  update(lr = this.config.lr): void {
    const gpu = this.gpu;
    const c = this.config;
    this.step += 1;
    const h = { lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, step: this.step };
    // Padding stays zero: a zero gradient with zero moments leaves a zero value (eps = 0 makes it NaN, read by nobody).
    for (const { arena, m, v } of this.moments) adamwStep(gpu, arena.values, m, v, arena.grads, this.scale, arena.size, h, arena.decayEnd);
  }

  /** The moments of every trainable parameter, keyed "<name>.exp_avg" / "<name>.exp_avg_sq" (PyTorch's names). */
  async readState(): Promise<{ step: number; tensors: Map<string, Float32Array> }> {
    const tensors = new Map<string, Float32Array>();
    for (const { arena, m, v } of this.moments) {
      const [ms, vs] = [await this.gpu.readF32(m), await this.gpu.readF32(v)];
      for (const { param, offset } of arena.params) {
        const n = param.value.size;
        tensors.set(`${param.name}.exp_avg`, ms.subarray(offset, offset + n));
        tensors.set(`${param.name}.exp_avg_sq`, vs.subarray(offset, offset + n));
      }
    }
    return { step: this.step, tensors };
  }

  /** Restore what readState returned (a resume): every trainable parameter's moments must be there, sized right. */
  writeState(step: number, tensors: ReadonlyMap<string, Float32Array>, source = 'optimizer state'): void {
    for (const { arena, m, v } of this.moments) {
      // Checked whole before anything is written; written as one host copy per moment and arena.
      const host = { exp_avg: new Float32Array(arena.size), exp_avg_sq: new Float32Array(arena.size) };
      for (const { param, offset } of arena.params) {
        const n = param.value.size;
        for (const suffix of ['exp_avg', 'exp_avg_sq'] as const) {
          const data = tensors.get(`${param.name}.${suffix}`);
          if (!data) throw new Error(`${source}: no ${param.name}.${suffix}`);
          if (data.length !== n) throw new Error(`${source}: ${param.name}.${suffix} has ${data.length} values, the parameter ${n}`);
          host[suffix].set(data, offset);
        }
      }
      this.gpu.write(m, host.exp_avg);
      this.gpu.write(v, host.exp_avg_sq);
    }
    this.step = step;
  }

  async gradNorm(): Promise<number> {
    return Math.sqrt((await this.gpu.readF32(this.sumsq))[0]);
  }

  free(): void {
    for (const { arena, m, v } of this.moments) this.gpu.free(m, v, arena.values, arena.grads);
    this.gpu.free(this.sumsq, this.scale);
    this.slots.free();
  }
}
