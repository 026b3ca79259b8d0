// Small elementwise utilities the trainer needs between kernels, and the one deterministic reduction
// (sum, sum of squares) that loss averaging and gradient clipping build on.
// (copy is gpu.copy, zero is gpu.zero, a + alpha*b is add.ts.)
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable, Tensor } from '../tensor';
import { expectBinding, expectCount, isInPlace } from './kernel-args';
import { chooseReduceVariant, SERIAL_WG, SUBGROUP_WG, timeReduceTrial, type ReduceVariant } from './reduce-variants';

const WG = 256;

export const fillProgram: ProgramSpec = {
  name: 'fill',
  shader: 'elementwise-fill',
  workgroupSize: [WG],
  bindings: [{ name: 'out', access: 'read_write', type: 'f32' }],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'value', type: 'f32' },
  ],
};

export const scaleProgram: ProgramSpec = {
  name: 'scale',
  shader: 'elementwise-scale',
  workgroupSize: [WG],
  bindings: [{ name: 'x', access: 'read_write', type: 'f32' }],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
};

export const scaleIntoProgram: ProgramSpec = {
  name: 'scale_into',
  shader: 'elementwise-scale-into',
  workgroupSize: [WG],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'inp', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
};

export const axpyProgram: ProgramSpec = {
  name: 'axpy',
  shader: 'elementwise-axpy',
  workgroupSize: [WG],
  bindings: [
    { name: 'y', access: 'read_write', type: 'f32' },
    { name: 'x', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
};

/** Workgroup size of each form of the reduction (the serial form's invocations each stand for a WG-wide workgroup). */
const REDUCE_WG: Record<ReduceVariant, number> = { workgroup: WG, subgroup: SUBGROUP_WG, serial: SERIAL_WG };

/** The reduction, specialised on what it adds (x or x^2), whether it adds onto out, and its form (reduce-variants.ts). */
export function reduceProgram(square: boolean, accumulate: boolean, variant: ReduceVariant = 'workgroup'): ProgramSpec {
  const suffix = variant === 'workgroup' ? '' : `_${variant}`;
  return {
    name: `reduce_${square ? 'sumsq' : 'sum'}${accumulate ? '_acc' : ''}${suffix}`,
    // The subgroup form is the workgroup body with subgroup-reduce.wgsl's reduce_sum instead.
    shader: variant === 'serial' ? 'elementwise-reduce-serial' : 'elementwise-reduce',
    workgroupSize: [REDUCE_WG[variant]],
    bindings: [
      { name: 'out', access: 'read_write', type: 'f32' },
      { name: 'x', access: 'read', type: 'f32' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'first', type: 'u32' }, ...(variant === 'serial' ? [{ name: 'parts', type: 'u32' as const }] : [])],
    // The serial form works each of the workgroup form's workgroups in one invocation, in its tree (tree-sum.wgsl).
    constants: variant === 'serial' ? { SQUARE: square, ACCUMULATE: accumulate, TREE_WIDTH: WG } : { SQUARE: square, ACCUMULATE: accumulate },
    includes: variant === 'workgroup' ? ['workgroup-reduce'] : variant === 'subgroup' ? ['subgroup-reduce'] : ['tree-sum'],
    subgroups: variant === 'subgroup' || undefined,
  };
}

function finiteScalar(op: string, field: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${op}: ${field} must be a finite number, got ${v}`);
}

// out (n) = value
export function fill(gpu: Gpu, out: Bindable, value: number, n: number): void {
  expectCount('fill', 'n', n);
  expectBinding('fill', 'out', out, n);
  finiteScalar('fill', 'value', value);
  gpu.dispatch(fillProgram, { out }, { n, value }, gpu.grid1d(fillProgram, n));
}

// out (n) *= alpha, in place
export function scale(gpu: Gpu, out: Bindable, alpha: number, n: number): void {
  expectCount('scale', 'n', n);
  expectBinding('scale', 'out', out, n);
  finiteScalar('scale', 'alpha', alpha);
  gpu.dispatch(scaleProgram, { x: out }, { n, alpha }, gpu.grid1d(scaleProgram, n));
}

// inp (n), out (n) = alpha * inp; out === inp falls back to scale()
export function scaleInto(gpu: Gpu, out: Bindable, inp: Bindable, alpha: number, n: number): void {
  expectCount('scaleInto', 'n', n);
  expectBinding('scaleInto', 'out', out, n);
  expectBinding('scaleInto', 'inp', inp, n);
  if (isInPlace('scaleInto', out, inp)) return scale(gpu, out, alpha, n);
  finiteScalar('scaleInto', 'alpha', alpha);
  gpu.dispatch(scaleIntoProgram, { out, inp }, { n, alpha }, gpu.grid1d(scaleIntoProgram, n));
}

// x (n), y (n) += alpha * x, in place on y
export function axpy(gpu: Gpu, y: Bindable, x: Bindable, alpha: number, n: number): void {
  expectCount('axpy', 'n', n);
  expectBinding('axpy', 'y', y, n);
  expectBinding('axpy', 'x', x, n);
  if (isInPlace('axpy', y, x)) return scale(gpu, y, 1 + alpha, n);
  finiteScalar('axpy', 'alpha', alpha);
  gpu.dispatch(axpyProgram, { y, x }, { n, alpha }, gpu.grid1d(axpyProgram, n));
}

// x (n), out (1) = sum(x), deterministic (fixed order for a given n)
/** out[0] = the sum of x[first .. first + n). */
export function sum(gpu: Gpu, out: Bindable, x: Bindable, n: number, first = 0): void {
  reduce(gpu, 'sum', out, x, n, false, false, undefined, first);
}

/** Elements each invocation adds before a second pass is worth it, and the most first-pass partials. */
const PER_THREAD = 16;
export const MAX_PARTIALS = 1024;

/**
 * Partials of the first pass for n elements (workgroups; in the serial form, invocations that each do one of the
 * workgroup form's workgroups); 1 = a single pass into out.
 */
export function reduceWorkgroups(n: number, variant: ReduceVariant = 'workgroup'): number {
  const per = (variant === 'subgroup' ? SUBGROUP_WG : WG) * PER_THREAD;
  return Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(n / per)));
}

// Per-device buffer for first-pass partials, kept for the device's life (4 KiB, 'scratch') so a reduction
// never allocates per call. Dispatches in one queue run in order, so calls can share it.
const partialsByGpu = new WeakMap<Gpu, Tensor>();

function partials(gpu: Gpu): Tensor {
  let t = partialsByGpu.get(gpu);
  if (!t) {
    t = gpu.tensor([MAX_PARTIALS], 'f32', 'scratch', 'reduce partials');
    partialsByGpu.set(gpu, t);
  }
  return t;
}

/**
 * out[0] = (accumulate ? out[0] : 0) + sum of x or x^2 over x[first .. first + n) (n = 0 adds nothing). The form is
 * forced by `variant` or chosen per shape (reduce-variants.ts); for a given form and n the order of the sum is fixed.
 * `first` lets a caller sum part of a buffer at any element, where a slice would need the storage offset alignment.
 */
export function reduce(gpu: Gpu, op: string, out: Bindable, x: Bindable, n: number, square: boolean, accumulate: boolean, variant?: ReduceVariant, first = 0): void {
  expectCount(op, 'n', n);
  expectCount(op, 'first', first);
  expectBinding(op, 'out', out, 1);
  expectBinding(op, 'x', x, first + n);
  if (isInPlace(op, out, x)) throw new RangeError(`${op}: out and x are the same tensor`);
  const form = chooseReduceVariant(gpu, 'reduce', 1, n, variant, (v) => reduceTrial(gpu, n, square, v as ReduceVariant));
  const groups = reduceWorkgroups(n, form);
  const pass = (o: Bindable, input: Bindable, start: number, count: number, sq: boolean, acc: boolean, parts: number) => {
    if (form === 'serial') gpu.dispatch(reduceProgram(sq, acc, form), { out: o, x: input }, { n: count, first: start, parts }, Math.ceil(parts / SERIAL_WG));
    else gpu.dispatch(reduceProgram(sq, acc, form), { out: o, x: input }, { n: count, first: start }, parts);
  };
  if (groups === 1) {
    pass(out, x, first, n, square, accumulate, 1);
    return;
  }
  const p = partials(gpu);
  pass(p, x, first, n, square, false, groups);
  pass(out, p, 0, groups, false, accumulate, 1);
}

async function reduceTrial(gpu: Gpu, n: number, square: boolean, variant: ReduceVariant): Promise<number> {
  const x = gpu.tensor([Math.max(1, n)], 'f32', 'scratch', 'autotune:x');
  const out = gpu.tensor([1], 'f32', 'scratch', 'autotune:out');
  try {
    return await timeReduceTrial(gpu, () => reduce(gpu, 'reduce trial', out, x, n, square, false, variant));
  } finally {
    gpu.free(x, out);
  }
}
