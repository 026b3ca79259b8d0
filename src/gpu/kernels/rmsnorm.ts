// T5LayerNorm (RMS norm): out = weight * (inp * rstd), rstd = 1/sqrt(mean(inp^2) + eps), no mean, no bias.
// Shapes: N rows (B*T), C channels. Forward caches rstd (N) for the backward pass.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectTensor } from './kernel-args';

export const rmsnormForwardProgram: ProgramSpec = {
  name: 'rmsnorm_forward',
  shader: 'rmsnorm',
  workgroupSize: [256],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'rstd', access: 'read_write', type: 'f32' },
    { name: 'inp', access: 'read', type: 'f32' },
    { name: 'weight', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'N', type: 'u32' },
    { name: 'C', type: 'u32' },
    { name: 'eps', type: 'f32' },
  ],
  includes: ['workgroup-reduce'],
};

export const rmsnormBackwardProgram: ProgramSpec = {
  name: 'rmsnorm_backward',
  shader: 'rmsnorm-backward',
  workgroupSize: [256],
  bindings: [
    { name: 'dinp', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'f32' },
    { name: 'inp', access: 'read', type: 'f32' },
    { name: 'weight', access: 'read', type: 'f32' },
    { name: 'rstd', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'N', type: 'u32' },
    { name: 'C', type: 'u32' },
  ],
  includes: ['workgroup-reduce'],
};

export const rmsnormBackwardWeightProgram: ProgramSpec = {
  name: 'rmsnorm_backward_weight',
  shader: 'rmsnorm-backward-weight',
  workgroupSize: [32, 8],
  bindings: [
    { name: 'dweight', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'f32' },
    { name: 'inp', access: 'read', type: 'f32' },
    { name: 'rstd', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'N', type: 'u32' },
    { name: 'C', type: 'u32' },
  ],
};

function expectDims(kernel: string, N: number, C: number): void {
  if (!Number.isInteger(N) || N < 0 || !Number.isInteger(C) || C < 1) throw new RangeError(`${kernel}: bad sizes N=${N}, C=${C}`);
}

/** One workgroup per row, folded into y past the per-dimension limit. */
function rowGrid(gpu: Gpu, rows: number): [number, number] {
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (rows <= max) return [rows, 1];
  const y = Math.ceil(rows / max);
  return [Math.ceil(rows / y), y];
}

// inp (N,C), weight (C), out (N,C), rstd (N) = 1/sqrt(mean(x^2)+eps) cached for backward
/**
 * Like HF, the sum of squares is f32: a row whose sum exceeds f32's range gets rstd 0 and output 0
 * (NaN where x is infinite). out and rstd are overwritten; out may not alias inp (WebGPU forbids binding
 * one buffer as both read and read_write in a dispatch).
 */
export function rmsnormForward(gpu: Gpu, out: Bindable, rstd: Bindable, inp: Bindable, weight: Bindable, N: number, C: number, eps: number): void {
  const k = 'rmsnormForward';
  expectDims(k, N, C);
  expectTensor(k, 'out', out, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'rstd', rstd, 'f32', N, `(N) = (${N})`);
  expectTensor(k, 'inp', inp, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'weight', weight, 'f32', C, `(C) = (${C})`);
  if (!(eps >= 0)) throw new RangeError(`${k}: eps must be >= 0, got ${eps}`);
  gpu.dispatch(rmsnormForwardProgram, { out, rstd, inp, weight }, { N, C, eps }, rowGrid(gpu, N));
}

// dout (N,C); dinp (N,C) += (the residual stream accumulates); dweight (C) += (may be null when frozen)
/** Both gradient outputs accumulate (+=); zero them with gpu.zero first when that is not wanted. */
export function rmsnormBackward(
  gpu: Gpu,
  dinp: Bindable,
  dweight: Bindable | null,
  dout: Bindable,
  inp: Bindable,
  weight: Bindable,
  rstd: Bindable,
  N: number,
  C: number,
): void {
  const k = 'rmsnormBackward';
  expectDims(k, N, C);
  expectTensor(k, 'dinp', dinp, 'f32', N * C, `(N,C) = (${N},${C})`);
  if (dweight) expectTensor(k, 'dweight', dweight, 'f32', C, `(C) = (${C})`);
  expectTensor(k, 'dout', dout, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'inp', inp, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'weight', weight, 'f32', C, `(C) = (${C})`);
  expectTensor(k, 'rstd', rstd, 'f32', N, `(N) = (${N})`);
  gpu.dispatch(rmsnormBackwardProgram, { dinp, dout, inp, weight, rstd }, { N, C }, rowGrid(gpu, N));
  if (dweight && N > 0) {
    const cols = rmsnormBackwardWeightProgram.workgroupSize[0];
    gpu.dispatch(rmsnormBackwardWeightProgram, { dweight, dout, inp, rstd }, { N, C }, Math.ceil(C / cols));
  }
}
