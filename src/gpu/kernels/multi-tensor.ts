// The optimizer's work over many tensors in a few dispatches instead of one or two per tensor: AdamW over a group of
// tensors whose moments are one buffer per group, and the gradients' sum of squares for clipping over all of them.
// WGSL has no arrays of bindings, so a dispatch binds up to `repeat` tensors (bounded by the device's storage
// buffers per stage) and the shader repeats its per-tensor code for each (program.ts' repeat).
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Tensor } from '../tensor';
import { adamwScalars, checkHyper, type AdamWHyper } from './adamw';
import { expectBinding, expectCount } from './kernel-args';
import { reduce } from './elementwise';

const WG = 256;
/** More tensors per dispatch would mean more pipelines to build for little gain. */
const MAX_REPEAT = 8;

export function multiAdamwProgram(repeat: number): ProgramSpec {
  const perTensor = Array.from({ length: repeat }, (_, k) => k);
  return {
    name: `adamw_multi_${repeat}`,
    shader: 'multi-tensor-adamw',
    workgroupSize: [WG],
    repeat,
    bindings: [
      ...perTensor.flatMap((k) => [
        { name: `param_${k}`, access: 'read_write', type: 'f32' },
        { name: `grad_${k}`, access: 'read', type: 'f32' },
      ] as const),
      { name: 'm', access: 'read_write', type: 'f32' },
      { name: 'v', access: 'read_write', type: 'f32' },
      { name: 'grad_scale', access: 'read', type: 'f32' },
    ],
    uniforms: [
      ...perTensor.flatMap((k) => [
        { name: `start_${k}`, type: 'u32' },
        { name: `n_${k}`, type: 'u32' },
        { name: `wg_${k}`, type: 'u32' },
        { name: `wg_end_${k}`, type: 'u32' },
        { name: `decay_${k}`, type: 'f32' },
      ] as const),
      { name: 'beta1', type: 'f32' },
      { name: 'one_minus_beta1', type: 'f32' },
      { name: 'beta2', type: 'f32' },
      { name: 'one_minus_beta2', type: 'f32' },
      { name: 'step_size', type: 'f32' },
      { name: 'bc2_sqrt', type: 'f32' },
      { name: 'eps', type: 'f32' },
    ],
  };
}

export function multiSumsqProgram(repeat: number): ProgramSpec {
  const perTensor = Array.from({ length: repeat }, (_, k) => k);
  return {
    name: `sumsq_multi_${repeat}`,
    shader: 'multi-tensor-sumsq',
    workgroupSize: [WG],
    repeat,
    includes: ['workgroup-reduce'],
    bindings: [...perTensor.map((k) => ({ name: `x_${k}`, access: 'read', type: 'f32' }) as const), { name: 'partials', access: 'read_write', type: 'f32' }],
    uniforms: [{ name: 'base', type: 'u32' }, ...perTensor.map((k) => ({ name: `n_${k}`, type: 'u32' }) as const)],
  };
}

/** Tensors per AdamW dispatch: each takes two bindings (param, grad) beside m, v and the clip coefficient. */
export function adamwTensorsPerDispatch(gpu: Gpu): number {
  return Math.max(1, Math.min(MAX_REPEAT, Math.floor((gpu.device.limits.maxStorageBuffersPerShaderStage - 3) / 2)));
}

/** Tensors per sum-of-squares dispatch: one binding each beside the partials. */
export function sumsqTensorsPerDispatch(gpu: Gpu): number {
  return Math.max(1, Math.min(MAX_REPEAT, gpu.device.limits.maxStorageBuffersPerShaderStage - 1));
}

/** One parameter tensor the multi-tensor AdamW updates. */
export interface AdamwTensor {
  param: Tensor;
  grad: Tensor;
  /** Whether weight decay applies (matrices; not norms or biases). */
  decay: boolean;
}

/** Tensors updated by one dispatch, their moments laid end to end in m and v (group.size elements each). */
export interface AdamwGroup {
  tensors: AdamwTensor[];
  /** Start of each tensor in the group's walk (and in m, v); size is the total. */
  starts: number[];
  size: number;
}

/**
 * Split tensors into dispatch groups: at most perDispatch tensors each, and moments no larger than one binding may be
 * (maxBytes); a tensor too big for a binding on its own fails here rather than at dispatch.
 */
export function groupAdamwTensors(tensors: readonly AdamwTensor[], perDispatch: number, maxBytes: number): AdamwGroup[] {
  const groups: AdamwGroup[] = [];
  let cur: AdamwGroup | null = null;
  for (const t of tensors) {
    const n = t.param.size;
    if (t.grad.size !== n) throw new RangeError(`multi-tensor AdamW: grad "${t.grad.label}" has ${t.grad.size} elements, param "${t.param.label}" ${n}`);
    if (n * 4 > maxBytes) throw new RangeError(`multi-tensor AdamW: "${t.param.label}" (${n} elements) is larger than one binding (${maxBytes} bytes)`);
    if (!cur || cur.tensors.length >= perDispatch || (cur.size + n) * 4 > maxBytes) {
      cur = { tensors: [], starts: [], size: 0 };
      groups.push(cur);
    }
    cur.tensors.push(t);
    cur.starts.push(cur.size);
    cur.size += n;
  }
  return groups;
}

// One AdamW step over a group: param_k, m, v updated in place, grad_k read, gradScale (1) the clip coefficient;
// m and v (group.size) hold the group's moments end to end. Weight decay h.weightDecay applies where tensor.decay.
export function multiAdamwStep(gpu: Gpu, group: AdamwGroup, m: Tensor, v: Tensor, gradScale: Tensor, h: AdamWHyper): void {
  const op = 'multiAdamwStep';
  checkHyper(h);
  const k = group.tensors.length;
  if (k === 0) return;
  expectCount(op, 'group.size', group.size);
  expectBinding(op, 'm', m, group.size);
  expectBinding(op, 'v', v, group.size);
  expectBinding(op, 'gradScale', gradScale, 1);
  const s = adamwScalars(h);
  const noDecay = adamwScalars({ ...h, weightDecay: 0 }).decay;
  const spec = multiAdamwProgram(k);
  const bindings: Record<string, Tensor> = { m, v, grad_scale: gradScale };
  const uniforms: Record<string, number> = {
    beta1: h.beta1, one_minus_beta1: 1 - h.beta1, beta2: h.beta2, one_minus_beta2: 1 - h.beta2,
    step_size: s.stepSize, bc2_sqrt: s.bc2Sqrt, eps: h.eps,
  };
  const seen = new Set<GPUBuffer>([m.buffer, v.buffer, gradScale.buffer]);
  let total = 0;
  group.tensors.forEach((t, i) => {
    for (const b of [t.param, t.grad]) {
      if (seen.has(b.buffer)) throw new RangeError(`${op}: "${b.label}" shares its buffer with another tensor of the dispatch`);
      seen.add(b.buffer);
    }
    bindings[`param_${i}`] = t.param;
    bindings[`grad_${i}`] = t.grad;
    const workgroups = Math.ceil(t.param.size / WG);
    uniforms[`start_${i}`] = group.starts[i];
    uniforms[`n_${i}`] = t.param.size;
    uniforms[`wg_${i}`] = total;
    uniforms[`wg_end_${i}`] = total + workgroups;
    uniforms[`decay_${i}`] = t.decay ? s.decay : noDecay;
    total += workgroups;
  });
  // Workgroups laid out in x, folded into y past the per-dimension limit (the shader reads the linear index).
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const y = Math.ceil(total / max);
  gpu.dispatch(spec, bindings, uniforms, [Math.ceil(total / y), y]);
}

/** Workgroups of one sum-of-squares dispatch over total elements: enough to keep a GPU busy, at most 256. */
export function sumsqWorkgroups(total: number): number {
  return Math.max(1, Math.min(WG, Math.ceil(total / (WG * 16))));
}

/** Partials the sum of squares of these tensors needs (the size of the buffer sumOfSquaresMulti writes). */
export function sumsqPartials(sizes: readonly number[], perDispatch: number): number {
  let n = 0;
  for (let i = 0; i < sizes.length; i += perDispatch) n += sumsqWorkgroups(sizes.slice(i, i + perDispatch).reduce((a, b) => a + b, 0));
  return n;
}

// sumsq (1) = sum over every tensor of x^2, overwriting: perDispatch tensors per dispatch into partials
// (at least sumsqPartials(sizes) elements), then one deterministic sum of the partials (elementwise reduce).
export function sumOfSquaresMulti(gpu: Gpu, sumsq: Tensor, tensors: readonly Tensor[], partials: Tensor, perDispatch = sumsqTensorsPerDispatch(gpu)): void {
  const op = 'sumOfSquaresMulti';
  expectBinding(op, 'sumsq', sumsq, 1);
  const need = sumsqPartials(tensors.map((t) => t.size), perDispatch);
  expectBinding(op, 'partials', partials, need);
  if (tensors.length === 0) {
    gpu.zero(sumsq);
    return;
  }
  let base = 0;
  for (let i = 0; i < tensors.length; i += perDispatch) {
    const group = tensors.slice(i, i + perDispatch);
    const spec = multiSumsqProgram(group.length);
    const bindings: Record<string, Tensor> = { partials };
    const uniforms: Record<string, number> = { base };
    group.forEach((t, k) => {
      if (t.dtype !== 'f32') throw new TypeError(`${op}: "${t.label}" is ${t.dtype}, expected f32`);
      bindings[`x_${k}`] = t;
      uniforms[`n_${k}`] = t.size;
    });
    const groups = sumsqWorkgroups(group.reduce((a, t) => a + t.size, 0));
    gpu.dispatch(spec, bindings, uniforms, groups);
    base += groups;
  }
  reduce(gpu, op, sumsq, gpu.slice(partials, 0, base), base, false, false);
}
