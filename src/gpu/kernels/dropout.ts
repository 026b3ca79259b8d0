// Dropout with a counter-based RNG: the mask is a pure function of (seed, stream, element index), so the
// backward pass regenerates the forward mask exactly and no mask buffer is kept.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { copyElements, expectBinding, expectCount, isInPlace } from './kernel-args';
import { dropoutMaskRef, dropThreshold, philoxKey } from './dropout.ref';

/** seed: per training step (a safe integer, split into the Philox key pair); stream: which dropout site in the step. */
export interface DropoutOptions {
  p: number;
  seed: number;
  stream: number;
}

/** The uniforms of a dropout (shaders/dropout-fused.wgsl), standalone or fused into another kernel (unread without one). */
export const DROP_UNIFORMS = [
  { name: 'dropKey0', type: 'u32' },
  { name: 'dropKey1', type: 'u32' },
  { name: 'dropStream', type: 'u32' },
  { name: 'dropThreshold', type: 'u32' },
  { name: 'dropScale', type: 'f32' },
] as const;

export const dropoutProgram: ProgramSpec = {
  name: 'dropout',
  shader: 'dropout',
  includes: ['philox', 'dropout-fused'],
  constants: { MASK_ONLY: false },
  workgroupSize: [256],
  // One read_write binding: the kernel works in place; out-of-place calls copy first.
  bindings: [{ name: 'x', access: 'read_write', type: 'f32' }],
  uniforms: [{ name: 'n', type: 'u32' }, ...DROP_UNIFORMS],
};

/** The same mask written as a scale tensor (keep / (1-p) or 0) without reading x: no fill of ones first. */
export const dropoutMaskProgram: ProgramSpec = { ...dropoutProgram, name: 'dropout_mask', constants: { MASK_ONLY: true } };

export function checkDropoutOptions(op: string, o: DropoutOptions): void {
  if (!(o.p >= 0 && o.p < 1)) throw new RangeError(`${op}: p must be in [0, 1), got ${o.p}`);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new RangeError(`${op}: seed must be a non-negative safe integer, got ${o.seed}`);
  if (!Number.isInteger(o.stream) || o.stream < 0 || o.stream > 0xffffffff) throw new RangeError(`${op}: stream must be a u32, got ${o.stream}`);
}

const fusedDropoutPrograms = new Map<ProgramSpec, ProgramSpec>();

/**
 * A kernel's program with its dropout turned on: the same shader with the constant DROP true (it then applies
 * dropout-fused.wgsl's dropped() to what it writes), named `<name>_drop`. One object per program, so it compiles once.
 */
export function fusedDropoutProgram(spec: ProgramSpec): ProgramSpec {
  let p = fusedDropoutPrograms.get(spec);
  if (!p) {
    p = { ...spec, name: `${spec.name}_drop`, constants: { ...spec.constants, DROP: true } };
    fusedDropoutPrograms.set(spec, p);
  }
  return p;
}

/** Values of DROP_UNIFORMS for these options (zeros and scale 1 without a dropout). */
export function dropUniforms(drop: DropoutOptions | undefined): Record<(typeof DROP_UNIFORMS)[number]['name'], number> {
  if (!drop) return { dropKey0: 0, dropKey1: 0, dropStream: 0, dropThreshold: 0, dropScale: 1 };
  const [dropKey0, dropKey1] = philoxKey(drop.seed);
  return { dropKey0, dropKey1, dropStream: drop.stream, dropThreshold: dropThreshold(drop.p), dropScale: 1 / (1 - drop.p) };
}

function applyMask(op: string, gpu: Gpu, out: Bindable, inp: Bindable, n: number, o: DropoutOptions): void {
  checkDropoutOptions(op, o);
  expectCount(op, 'n', n);
  expectBinding(op, 'out', out, n);
  expectBinding(op, 'inp', inp, n);
  if (!isInPlace(op, out, inp)) copyElements(gpu, out, inp, n);
  if (o.p === 0 || n === 0) return;
  gpu.dispatch(dropoutProgram, { x: out }, { n, ...dropUniforms(o) }, gpu.grid1d(dropoutProgram, n));
}

// inp (n), out (n): out = keep ? inp / (1-p) : 0, keep drawn from Philox4x32-10(key = seed, counter = (i, stream, 0, 0)).
// p = 0 copies. out === inp runs in place (the fast path: out-of-place copies, then masks in place).
export function dropoutForward(gpu: Gpu, out: Bindable, inp: Bindable, n: number, o: DropoutOptions): void {
  applyMask('dropoutForward', gpu, out, inp, n, o);
}

// dout (n), dinp (n) = dout * keep / (1-p) with the forward's mask (same options). dinp === dout runs in place.
// Overwrites dinp (does not accumulate).
export function dropoutBackward(gpu: Gpu, dinp: Bindable, dout: Bindable, n: number, o: DropoutOptions): void {
  applyMask('dropoutBackward', gpu, dinp, dout, n, o);
}

// out (n) = keep ? 1/(1-p) : 0, the scale that dropoutForward multiplies element i by (kernels that drop a value
// they compute themselves read it). p = 0 fills 1.
export function dropoutScaleMask(gpu: Gpu, out: Bindable, n: number, o: DropoutOptions): void {
  checkDropoutOptions('dropoutScaleMask', o);
  expectCount('dropoutScaleMask', 'n', n);
  expectBinding('dropoutScaleMask', 'out', out, n);
  if (n === 0) return;
  gpu.dispatch(dropoutMaskProgram, { x: out }, { n, ...dropUniforms(o) }, gpu.grid1d(dropoutMaskProgram, n));
}

/** The keep mask (1 = kept) the GPU draws for these options, computed on the CPU. */
export function dropoutMaskCpu(n: number, o: DropoutOptions): Uint8Array {
  checkDropoutOptions('dropoutMaskCpu', o);
  return dropoutMaskRef(n, o);
}
