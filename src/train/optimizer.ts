// AdamW over the trainable parameters, as HF Trainer runs it: clip the global gradient norm, decoupled weight
// decay on matrices only (no layer norms, nothing named "bias"), bias corrections on the host.
import type { Gpu } from '../gpu/gpu';
import { clipScale } from '../gpu/kernels/grad-norm';
import {
  adamwTensorsPerDispatch, groupAdamwTensors, multiAdamwStep, sumOfSquaresMulti, sumsqPartials, sumsqTensorsPerDispatch, type AdamwGroup,
} from '../gpu/kernels/multi-tensor';
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

/** One multi-tensor dispatch's parameters and their moments, laid end to end in m and v. */
interface MomentGroup {
  params: DenseParam[];
  starts: number[];
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  private readonly params: DenseParam[];
  private readonly groups: MomentGroup[];
  private readonly sumsq: Tensor;
  private readonly partials: Tensor;
  private readonly scale: Tensor;
  /** What one optimizer step reads back (every micro-batch's loss sums, the grad norm), kept across steps. */
  private readonly slots: ReadbackSlots;
  step = 0;

  constructor(
    private readonly gpu: Gpu,
    params: ParameterStore,
    readonly config: AdamWConfig,
  ) {
    this.params = params.trainable();
    // A few dispatches for every tensor (as many as the device binds at once), not one or two per tensor.
    this.groups = this.dispatchGroups().map((g, i) => {
      const m = gpu.tensor([g.size], 'f32', 'optimizer', `adam_m#${i}`);
      const v = gpu.tensor([g.size], 'f32', 'optimizer', `adam_v#${i}`);
      gpu.zero(m);
      gpu.zero(v);
      return { params: g.tensors.map((t) => this.params[this.params.findIndex((p) => p.value === t.param)]), starts: g.starts, m, v };
    });
    this.sumsq = gpu.tensor([1], 'f32', 'scratch', 'grad_norm.sumsq');
    const sizes = this.params.map((p) => p.value.size);
    this.partials = gpu.tensor([Math.max(1, sumsqPartials(sizes, sumsqTensorsPerDispatch(gpu)))], 'f32', 'scratch', 'grad_norm.partials');
    this.scale = gpu.tensor([1], 'f32', 'scratch', 'grad_norm.scale');
    this.slots = new ReadbackSlots(gpu, 8, 'optimizer_step.results');
  }

  /** The trainable tensors split into dispatches (the same split every call: it depends only on sizes and order). */
  private dispatchGroups(): AdamwGroup[] {
    const tensors = this.params.map((p) => {
      if (!p.grad) throw new Error(`AdamW: ${p.name} no longer has a gradient`);
      return { param: p.value, grad: p.grad, decay: p.decay };
    });
    return groupAdamwTensors(tensors, adamwTensorsPerDispatch(this.gpu), this.gpu.device.limits.maxStorageBufferBindingSize);
  }

  /** Clip, then update every trainable parameter; the global norm (before clipping) is readable with gradNorm(). */
  apply(lr = this.config.lr): void {
    const gpu = this.gpu;
    const c = this.config;
    this.step += 1;
    const groups = this.dispatchGroups();
    sumOfSquaresMulti(gpu, this.sumsq, groups.flatMap((g) => g.tensors.map((t) => t.grad)), this.partials);
    clipScale(gpu, this.scale, this.sumsq, c.maxGradNorm > 0 ? c.maxGradNorm : Infinity);
    groups.forEach((g, i) => {
      const held = this.groups[i];
      multiAdamwStep(gpu, g, held.m, held.v, this.scale, { lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, step: this.step });
    });
  }

  /** Each parameter with its moments' group and where in the group it starts. */
  private *moments(): Generator<{ param: DenseParam; group: MomentGroup; start: number }> {
    for (const group of this.groups) for (const [i, param] of group.params.entries()) yield { param, group, start: group.starts[i] };
  }

  /** The moments of every trainable parameter, keyed "<name>.exp_avg" / "<name>.exp_avg_sq" (PyTorch's names). */
  async readState(): Promise<{ step: number; tensors: Map<string, Float32Array> }> {
    const tensors = new Map<string, Float32Array>();
    for (const group of this.groups) {
      const [m, v] = [await this.gpu.readF32(group.m), await this.gpu.readF32(group.v)];
      group.params.forEach((param, i) => {
        const [a, b] = [group.starts[i], group.starts[i] + param.value.size];
        tensors.set(`${param.name}.exp_avg`, m.slice(a, b));
        tensors.set(`${param.name}.exp_avg_sq`, v.slice(a, b));
      });
    }
    return { step: this.step, tensors };
  }

  /** Restore what readState returned (a resume): every trainable parameter's moments must be there, sized right. */
  writeState(step: number, tensors: ReadonlyMap<string, Float32Array>, source = 'optimizer state'): void {
    for (const { param, group, start } of this.moments()) {
      for (const [suffix, t] of [['exp_avg', group.m], ['exp_avg_sq', group.v]] as const) {
        const data = tensors.get(`${param.name}.${suffix}`);
        if (!data) throw new Error(`${source}: no ${param.name}.${suffix}`);
        if (data.length !== param.value.size) throw new Error(`${source}: ${param.name}.${suffix} has ${data.length} values, the parameter ${param.value.size}`);
        this.gpu.write(t, data, start);
      }
    }
    this.step = step;
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

  async gradNorm(): Promise<number> {
    return Math.sqrt((await this.gpu.readF32(this.sumsq))[0]);
  }

  free(): void {
    for (const { m, v } of this.groups) this.gpu.free(m, v);
    this.gpu.free(this.sumsq, this.partials, this.scale);
    this.slots.free();
  }
}
