// T5LayerNorm (RMS norm): out = weight * (inp * rstd), rstd = 1/sqrt(mean(inp^2) + eps), no mean, no bias.
// Shapes: N rows (B*T), C channels. Forward caches rstd (N) for the backward pass.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectTensor } from './kernel-args';
import { chooseReduceVariant, SERIAL_WG, SUBGROUP_WG, timeReduceTrial, type ReduceVariant } from './reduce-variants';

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

/** A serial form sums in its workgroup form's tree (tree-sum.wgsl), so both give the same bits. */
function serialTree(workgroupForm: ProgramSpec): Pick<ProgramSpec, 'constants' | 'includes'> {
  return { constants: { TREE_WIDTH: workgroupForm.workgroupSize[0] }, includes: ['tree-sum'] };
}

/**
 * Forward forms (reduce-variants.ts): the serial one takes a row per invocation, the others a workgroup per row; the
 * subgroup form is the workgroup body with subgroup-reduce.wgsl's reduce_sum instead of workgroup-reduce.wgsl's.
 */
export const rmsnormForwardPrograms: Record<ReduceVariant, ProgramSpec> = {
  workgroup: rmsnormForwardProgram,
  subgroup: { ...rmsnormForwardProgram, name: 'rmsnorm_forward_subgroup', workgroupSize: [SUBGROUP_WG], subgroups: true, includes: ['subgroup-reduce'] },
  serial: { ...rmsnormForwardProgram, name: 'rmsnorm_forward_serial', shader: 'rmsnorm-serial', workgroupSize: [SERIAL_WG], ...serialTree(rmsnormForwardProgram) },
};

export const rmsnormBackwardPrograms: Record<ReduceVariant, ProgramSpec> = {
  workgroup: rmsnormBackwardProgram,
  subgroup: { ...rmsnormBackwardProgram, name: 'rmsnorm_backward_subgroup', workgroupSize: [SUBGROUP_WG], subgroups: true, includes: ['subgroup-reduce'] },
  serial: {
    ...rmsnormBackwardProgram, name: 'rmsnorm_backward_serial', shader: 'rmsnorm-backward-serial', workgroupSize: [SERIAL_WG],
    constants: serialTree(rmsnormBackwardProgram).constants, includes: ['tree-sum', 'rmsnorm-backward-row'],
  },
};

/**
 * The weight gradient has no subgroup form: its workgroup form already sums WG_Y lanes with one barrier. The
 * serial form adds the same WG_Y lanes in the same order (LANES), so the same bits.
 */
export const rmsnormBackwardWeightSerialProgram: ProgramSpec = {
  ...rmsnormBackwardWeightProgram,
  name: 'rmsnorm_backward_weight_serial',
  shader: 'rmsnorm-backward-weight-serial',
  workgroupSize: [SERIAL_WG],
  constants: { LANES: rmsnormBackwardWeightProgram.workgroupSize[1] ?? 1 },
  includes: ['rmsnorm-backward-column'],
};

/** Both serial backward kernels in one dispatch (N row invocations, then C column invocations): one dispatch less. */
export const rmsnormBackwardFusedProgram: ProgramSpec = {
  name: 'rmsnorm_backward_fused_serial',
  shader: 'rmsnorm-backward-fused',
  workgroupSize: [SERIAL_WG],
  bindings: [...rmsnormBackwardProgram.bindings, { name: 'dweight', access: 'read_write', type: 'f32' }],
  uniforms: rmsnormBackwardProgram.uniforms,
  constants: { ...serialTree(rmsnormBackwardProgram).constants, ...rmsnormBackwardWeightSerialProgram.constants },
  includes: ['tree-sum', 'rmsnorm-backward-row', 'rmsnorm-backward-column'],
};

export interface RmsnormOptions {
  /** Force a form (tests, bench); default = the autotuned or rule-chosen one (reduce-variants.ts). */
  variant?: ReduceVariant;
}

function expectDims(kernel: string, N: number, C: number): void {
  if (!Number.isInteger(N) || N < 0 || !Number.isInteger(C) || C < 1) throw new RangeError(`${kernel}: bad sizes N=${N}, C=${C}`);
}

/** One workgroup per row (or per SERIAL_WG rows for the serial form), folded into y past the per-dimension limit. */
function rowGrid(gpu: Gpu, variant: ReduceVariant, rows: number): [number, number] {
  if (variant === 'serial') return gpu.grid1d(rmsnormForwardPrograms.serial, rows);
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
export function rmsnormForward(gpu: Gpu, out: Bindable, rstd: Bindable, inp: Bindable, weight: Bindable, N: number, C: number, eps: number, opts: RmsnormOptions = {}): void {
  const k = 'rmsnormForward';
  expectDims(k, N, C);
  expectTensor(k, 'out', out, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'rstd', rstd, 'f32', N, `(N) = (${N})`);
  expectTensor(k, 'inp', inp, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'weight', weight, 'f32', C, `(C) = (${C})`);
  if (!(eps >= 0)) throw new RangeError(`${k}: eps must be >= 0, got ${eps}`);
  const variant = chooseReduceVariant(gpu, 'rmsnorm_forward', N, C, opts.variant, (v) => trialOf(gpu, N, C, (t) =>
    rmsnormForward(gpu, t.out, t.rstd, t.inp, t.weight, N, C, eps, { variant: v as ReduceVariant })));
  gpu.dispatch(rmsnormForwardPrograms[variant], { out, rstd, inp, weight }, { N, C, eps }, rowGrid(gpu, variant, N));
}

interface TrialTensors { out: Bindable; rstd: Bindable; inp: Bindable; weight: Bindable; dinp: Bindable; dweight: Bindable }

/** Times one form on scratch tensors of the call's shape (contents do not matter to the time). */
async function trialOf(gpu: Gpu, N: number, C: number, once: (t: TrialTensors) => void): Promise<number> {
  const rows = gpu.tensor([N, C], 'f32', 'scratch', 'autotune:rows');
  const rows2 = gpu.tensor([N, C], 'f32', 'scratch', 'autotune:rows2');
  const rows3 = gpu.tensor([N, C], 'f32', 'scratch', 'autotune:rows3');
  const perRow = gpu.tensor([N], 'f32', 'scratch', 'autotune:rstd');
  const cols = gpu.tensor([C], 'f32', 'scratch', 'autotune:weight');
  const cols2 = gpu.tensor([C], 'f32', 'scratch', 'autotune:dweight');
  try {
    return await timeReduceTrial(gpu, () => once({ out: rows, rstd: perRow, inp: rows2, weight: cols, dinp: rows3, dweight: cols2 }));
  } finally {
    gpu.free(rows, rows2, rows3, perRow, cols, cols2);
  }
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
  opts: RmsnormOptions = {},
): void {
  const k = 'rmsnormBackward';
  expectDims(k, N, C);
  expectTensor(k, 'dinp', dinp, 'f32', N * C, `(N,C) = (${N},${C})`);
  if (dweight) expectTensor(k, 'dweight', dweight, 'f32', C, `(C) = (${C})`);
  expectTensor(k, 'dout', dout, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'inp', inp, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'weight', weight, 'f32', C, `(C) = (${C})`);
  expectTensor(k, 'rstd', rstd, 'f32', N, `(N) = (${N})`);
  const variant = chooseReduceVariant(gpu, 'rmsnorm_backward', N, C, opts.variant, (v) => trialOf(gpu, N, C, (t) =>
    rmsnormBackward(gpu, t.dinp, null, t.out, t.inp, t.weight, t.rstd, N, C, { variant: v as ReduceVariant })));
  const weightVariant = dweight && N > 0 ? backwardWeightVariant(gpu, N, C, opts.variant) : null;
  if (dweight && variant === 'serial' && weightVariant === 'serial') {
    const grid = gpu.grid1d(rmsnormBackwardFusedProgram, N + C);
    gpu.dispatch(rmsnormBackwardFusedProgram, { dinp, dout, inp, weight, rstd, dweight }, { N, C }, grid);
    return;
  }
  gpu.dispatch(rmsnormBackwardPrograms[variant], { dinp, dout, inp, weight, rstd }, { N, C }, rowGrid(gpu, variant, N));
  if (dweight && weightVariant) rmsnormBackwardWeight(gpu, dweight, dout, inp, rstd, N, C, weightVariant);
}

// The weight gradient's form sums N rows per column, so it is chosen by (C, N).
function backwardWeightVariant(gpu: Gpu, N: number, C: number, forced: ReduceVariant | undefined): ReduceVariant {
  // No subgroup form: a forced 'subgroup' runs the workgroup one (a single barrier either way).
  const wanted = forced === 'subgroup' ? 'workgroup' : forced;
  return chooseReduceVariant(gpu, 'rmsnorm_backward_weight', C, N, wanted, (v) => trialOf(gpu, N, C, (t) =>
    rmsnormBackwardWeight(gpu, t.dweight, t.out, t.inp, t.rstd, N, C, v as ReduceVariant)), ['workgroup', 'serial']);
}

// dweight (C) += sum over rows of dout * inp * rstd, in the given form.
function rmsnormBackwardWeight(gpu: Gpu, dweight: Bindable, dout: Bindable, inp: Bindable, rstd: Bindable, N: number, C: number, variant: ReduceVariant): void {
  if (variant === 'serial') {
    gpu.dispatch(rmsnormBackwardWeightSerialProgram, { dweight, dout, inp, rstd }, { N, C }, gpu.grid1d(rmsnormBackwardWeightSerialProgram, C));
    return;
  }
  const cols = rmsnormBackwardWeightProgram.workgroupSize[0];
  gpu.dispatch(rmsnormBackwardWeightProgram, { dweight, dout, inp, rstd }, { N, C }, Math.ceil(C / cols));
}
