// AdamW over the trainable parameters, as HF Trainer runs it: clip the global gradient norm, decoupled weight
// decay on matrices only (no layer norms, nothing named "bias"), bias corrections on the host.
import type { Gpu } from '../gpu/gpu';
import { adamwStep } from '../gpu/kernels/adamw';
import { clipScale, sumOfSquares } from '../gpu/kernels/grad-norm';
import type { Tensor } from '../gpu/tensor';
import type { Param, ParameterStore } from '../model/parameters';

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
  param: Param;
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  private readonly moments: Moments[];
  private readonly sumsq: Tensor;
  private readonly scale: Tensor;
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
  }

  /** Clip, then update every trainable parameter; the global norm (before clipping) is readable with gradNorm(). */
  apply(lr = this.config.lr): void {
    const gpu = this.gpu;
    const c = this.config;
    this.step += 1;
    gpu.zero(this.sumsq);
    for (const { param } of this.moments) sumOfSquares(gpu, this.sumsq, param.grad!, param.grad!.size);
    clipScale(gpu, this.scale, this.sumsq, c.maxGradNorm > 0 ? c.maxGradNorm : Infinity);
    for (const { param, m, v } of this.moments) {
      adamwStep(gpu, param.value!, m, v, param.grad!, this.scale, param.grad!.size, {
        lr,
        beta1: c.beta1,
        beta2: c.beta2,
        eps: c.eps,
        weightDecay: param.decay ? c.weightDecay : 0,
        step: this.step,
      });
    }
  }

  async gradNorm(): Promise<number> {
    return Math.sqrt((await this.gpu.readF32(this.sumsq))[0]);
  }

  free(): void {
    for (const { m, v } of this.moments) this.gpu.free(m, v);
    this.gpu.free(this.sumsq, this.scale);
  }
}
