// Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_, kept on the GPU: the trainer sums the
// squares of every grad tensor into one scalar, turns it into a clip coefficient, and hands that tensor to
// adamwStep as gradScale, so no readback stalls the step.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectBinding } from './kernel-args';
import { fill, reduce } from './elementwise';

export const clipScaleProgram: ProgramSpec = {
  name: 'grad_norm_clip',
  shader: 'grad-norm-clip',
  workgroupSize: [1],
  bindings: [
    { name: 'scale', access: 'read_write', type: 'f32' },
    { name: 'sumsq', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'max_norm', type: 'f32' },
    { name: 'enabled', type: 'u32' },
  ],
};

// x (n), sumsq (1) += sum(x^2). Accumulates: zero sumsq first (gpu.zero), then call once per grad tensor.
// Deterministic: a fixed-order tree reduction for a given n.
export function sumOfSquares(gpu: Gpu, sumsq: Bindable, x: Bindable, n: number): void {
  reduce(gpu, 'sumOfSquares', sumsq, x, n, true, true);
}

// sumsq (1) = sum over every tensor of x^2, overwriting (0 for none): two dispatches per large tensor, one per small
// one (elementwise reduce). Deterministic: tensors in order, each a fixed-order tree.
export function sumOfSquaresOf(gpu: Gpu, sumsq: Bindable, xs: readonly Bindable[]): void {
  if (xs.length === 0) {
    fill(gpu, sumsq, 0, 1);
    return;
  }
  xs.forEach((x, i) => reduce(gpu, 'sumOfSquaresOf', sumsq, x, x.size, true, i > 0));
}

// sumsq (1), scale (1) = min(1, maxNorm / (sqrt(sumsq) + 1e-6)); maxNorm <= 0 or Infinity disables clipping (scale = 1).
// Overwrites scale. A NaN sumsq gives a NaN scale; an infinite one gives 0 (as torch without error_if_nonfinite).
export function clipScale(gpu: Gpu, scale: Bindable, sumsq: Bindable, maxNorm: number): void {
  if (Number.isNaN(maxNorm)) throw new RangeError('clipScale: maxNorm is NaN');
  expectBinding('clipScale', 'scale', scale, 1);
  expectBinding('clipScale', 'sumsq', sumsq, 1);
  const enabled = maxNorm > 0 && Number.isFinite(maxNorm);
  gpu.dispatch(clipScaleProgram, { scale, sumsq }, { max_norm: enabled ? maxNorm : 0, enabled: enabled ? 1 : 0 }, 1);
}
