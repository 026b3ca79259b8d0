// AdamW as the Hugging Face Trainer runs it (torch.optim.AdamW, decoupled weight decay). Per-step scalars
// (bias corrections, step size) are computed here in float64 and passed as uniforms; the gradient's
// clip coefficient stays a GPU tensor so clipping needs no readback.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectBinding, expectCount, expectDistinct } from './kernel-args';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled decay; the caller passes 0 for tensors that should not decay (biases, norms). */
  weightDecay: number;
  /** 1-based count of optimizer steps taken including this one (bias correction). */
  step: number;
}

export const adamwProgram: ProgramSpec = {
  name: 'adamw',
  shader: 'adamw',
  workgroupSize: [256],
  bindings: [
    { name: 'param', access: 'read_write', type: 'f32' },
    { name: 'm', access: 'read_write', type: 'f32' },
    { name: 'v', access: 'read_write', type: 'f32' },
    { name: 'grad', access: 'read', type: 'f32' },
    { name: 'grad_scale', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'decay_end', type: 'u32' },
    { name: 'decay', type: 'f32' },
    { name: 'beta1', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'one_minus_beta2', type: 'f32' },
    { name: 'step_size', type: 'f32' },
    { name: 'bc2_sqrt', type: 'f32' },
    { name: 'eps', type: 'f32' },
  ],
};

/** The per-step scalars of torch.optim.AdamW, in float64. */
export function adamwScalars(h: AdamWHyper): { decay: number; stepSize: number; bc2Sqrt: number } {
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  return { decay: 1 - h.lr * h.weightDecay, stepSize: h.lr / bc1, bc2Sqrt: Math.sqrt(bc2) };
}

export function checkHyper(h: AdamWHyper): void {
  const bad = (field: string, v: number, want: string) => new RangeError(`adamwStep: ${field} must be ${want}, got ${v}`);
  if (!(Number.isFinite(h.lr) && h.lr >= 0)) throw bad('lr', h.lr, 'finite and >= 0');
  if (!(h.beta1 >= 0 && h.beta1 < 1)) throw bad('beta1', h.beta1, 'in [0, 1)');
  if (!(h.beta2 >= 0 && h.beta2 < 1)) throw bad('beta2', h.beta2, 'in [0, 1)');
  if (!(Number.isFinite(h.eps) && h.eps >= 0)) throw bad('eps', h.eps, 'finite and >= 0');
  if (!(Number.isFinite(h.weightDecay) && h.weightDecay >= 0)) throw bad('weightDecay', h.weightDecay, 'finite and >= 0');
  if (!(Number.isInteger(h.step) && h.step >= 1)) throw bad('step', h.step, 'an integer >= 1 (1-based)');
}

// param, m, v (n) updated in place; grad (n) read; gradScale (1) multiplies grad (the clip coefficient).
// m and v are Adam's first and second moments (torch's exp_avg, exp_avg_sq); zero them before step 1.
// Weight decay applies to elements [0, decayEnd) only: many tensors laid end to end, those with decay first, take
// one dispatch (the rest get exactly what h.weightDecay = 0 would give them).
export function adamwStep(gpu: Gpu, param: Bindable, m: Bindable, v: Bindable, grad: Bindable, gradScale: Bindable, n: number, h: AdamWHyper, decayEnd = n): void {
  checkHyper(h);
  expectCount('adamwStep', 'n', n);
  if (!Number.isInteger(decayEnd) || decayEnd < 0 || decayEnd > n) throw new RangeError(`adamwStep: decayEnd must be an integer in [0, n = ${n}], got ${decayEnd}`);
  expectBinding('adamwStep', 'param', param, n);
  expectBinding('adamwStep', 'm', m, n);
  expectBinding('adamwStep', 'v', v, n);
  expectBinding('adamwStep', 'grad', grad, n);
  expectBinding('adamwStep', 'gradScale', gradScale, 1);
  expectDistinct('adamwStep', { param, m, v, grad, gradScale });
  const s = adamwScalars(h);
  const uniforms = {
    n,
    decay_end: decayEnd,
    decay: s.decay,
    beta1: h.beta1,
    one_minus_beta1: 1 - h.beta1,
    beta2: h.beta2,
    one_minus_beta2: 1 - h.beta2,
    step_size: s.stepSize,
    bc2_sqrt: s.bc2Sqrt,
    eps: h.eps,
  };
  gpu.dispatch(adamwProgram, { param, m, v, grad, grad_scale: gradScale }, uniforms, gpu.grid1d(adamwProgram, n));
}
