// AdamW over the trainable parameters, as HF Trainer runs it: clip the global gradient norm, decoupled weight
// decay on matrices only (no layer norms, nothing named "bias"), bias corrections on the host.
import type { Gpu } from '../gpu/gpu';
import { adamwStep } from '../gpu/kernels/adamw';
import { clipScale, sumOfSquares } from '../gpu/kernels/grad-norm';
import { ReadbackSlots } from '../gpu/readback-slots';
import type { Tensor } from '../gpu/tensor';
import type { DenseParam, ParameterStore } from '../model/parameters';

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

interface Moments {
  param: DenseParam;
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
  ) {
    this.moments = params.trainable().map((param) => {
      const n = param.grad!.size;
      const m = gpu.tensor([n], 'f32', 'optimizer', `adam_m:${param.name}`);
      const v = gpu.tensor([n], 'f32', 'optimizer', `adam_v:${param.name}`);
      gpu.zero(m);
      gpu.zero(v);
      return { param, m, v };
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
    gpu.zero(this.sumsq);
    for (const { param } of this.moments) sumOfSquares(gpu, this.sumsq, param.grad!, param.grad!.size);
    clipScale(gpu, this.scale, this.sumsq, this.config.maxGradNorm > 0 ? this.config.maxGradNorm : Infinity);
  }

  /** AdamW on every trainable parameter with the clip scale of the last measure(); AdamW's step advances. */
  update(lr = this.config.lr): void {
    const gpu = this.gpu;
    const c = this.config;
    this.step += 1;
    for (const { param, m, v } of this.moments) {
      adamwStep(gpu, param.value, m, v, param.grad!, this.scale, param.grad!.size, {
        lr,
        beta1: c.beta1,
        beta2: c.beta2,
        eps: c.eps,
        weightDecay: param.decay ? c.weightDecay : 0,
        step: this.step,
      });
    }
  }

  /** The moments of every trainable parameter, keyed "<name>.exp_avg" / "<name>.exp_avg_sq" (PyTorch's names). */
  async readState(): Promise<{ step: number; tensors: Map<string, Float32Array> }> {
    const tensors = new Map<string, Float32Array>();
    for (const { param, m, v } of this.moments) {
      tensors.set(`${param.name}.exp_avg`, await this.gpu.readF32(m));
      tensors.set(`${param.name}.exp_avg_sq`, await this.gpu.readF32(v));
    }
    return { step: this.step, tensors };
  }

  /** Restore what readState returned (a resume): every trainable parameter's moments must be there, sized right. */
  writeState(step: number, tensors: ReadonlyMap<string, Float32Array>, source = 'optimizer state'): void {
    for (const { param, m, v } of this.moments) {
      for (const [suffix, t] of [['exp_avg', m], ['exp_avg_sq', v]] as const) {
        const data = tensors.get(`${param.name}.${suffix}`);
        if (!data) throw new Error(`${source}: no ${param.name}.${suffix}`);
        if (data.length !== t.size) throw new Error(`${source}: ${param.name}.${suffix} has ${data.length} values, the parameter ${t.size}`);
        this.gpu.write(t, data);
      }
    }
    this.step = step;
  }

  async gradNorm(): Promise<number> {
    return Math.sqrt((await this.gpu.readF32(this.sumsq))[0]);
  }

  free(): void {
    for (const { m, v } of this.moments) this.gpu.free(m, v);
    this.gpu.free(this.sumsq, this.scale);
    this.slots.free();
  }
}
