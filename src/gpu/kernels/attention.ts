// Attention core of T5, forward and backward, heads inside the projection layout as in HF.
// Shapes: B batch, Tq query rows, Tk key rows, NH heads, D = d_kv, C = NH*D, Cap = kvCapacity (>= Tk).
//   q (B,Tq,C); k, v (B,Cap,C), rows >= Tk are never read; bias (NH,Tq,Tk); keyMask (B,Tk) u32;
//   probs, dscores (B,NH,Tq,Tk); out, dout, dq (B,Tq,C); dk, dv (B,Cap,C); dbias (NH,Tq,Tk).
// T5 facts: scores = q.k^T + position_bias + mask with no 1/sqrt(D); the mask is additive finfo(f32).min, so a
// fully masked row is uniform (not NaN) and a masked entry of a live row has probability exactly 0.
// Kernels: scores+softmax (workgroup per row), probs.v (invocation per output); backward: dscores (workgroup per
// row), dbias (invocation per bias entry), dq = dS.k, dk = dS^T.q, dv = P^T.dout (invocation per output).
// The two row kernels also come in subgroup and serial forms (the serial one same bits; reduce-variants.ts picks).
// Every output element is owned by one invocation: results are deterministic, no atomics.
// Dropout on the probabilities (T5 training, dropout_rate) is a hook, not an RNG: pass probsDropoutScale, a
// (B,NH,Tq,Tk) tensor holding keep/(1-p) (e.g. dropoutForward of a tensor of ones, regenerated from the same
// seed/stream for backward); out = (probs * scale).v while probs stays the undropped softmax for backward.
import type { Gpu } from '../gpu';
import type { ProgramSpec, UniformSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectBinding, expectIntegers, expectOutputsDistinct } from './kernel-args';
import { chooseReduceVariant, SERIAL_WG, timeReduceTrial, type ReduceVariant } from './reduce-variants';

/**
 * Score-row kernels: a workgroup per row (barrier trees), the same with subgroup operations and one barrier per
 * reduction, or one invocation per row replaying the trees (same bits as the workgroup form).
 */
export type AttentionRowVariant = ReduceVariant;

export interface AttentionDims {
  B: number;
  Tq: number;
  Tk: number;
  NH: number;
  D: number;
  /** Mask key j > queryOffset + i (decoder self-attention). */
  causal: boolean;
  /** Absolute position of query row 0 (cached decoding: Tq = 1, queryOffset = t). Default 0. */
  queryOffset?: number;
  /** Rows allocated per batch item in k and v (a KV cache of capacity Tmax). Default Tk. */
  kvCapacity?: number;
}

/** Largest D the row kernels keep in workgroup memory (T5 uses 64; t5-11b uses 128). */
export const ATTENTION_MAX_D = 256;

const ELEMENT_WG = 256;

/**
 * Invocations per score row: the next power of two >= Tk, between 8 and 64. Short rows (decoding, short
 * sequences) then leave few invocations idle, and the tree reductions stay short.
 */
export function attentionRowWorkgroup(Tk: number): number {
  let wg = 8;
  while (wg < Tk && wg < 64) wg *= 2;
  return wg;
}

const uniforms: readonly UniformSpec[] = [
  { name: 'n', type: 'u32' },
  { name: 'B', type: 'u32' },
  { name: 'Tq', type: 'u32' },
  { name: 'Tk', type: 'u32' },
  { name: 'NH', type: 'u32' },
  { name: 'D', type: 'u32' },
  { name: 'cap', type: 'u32' },
  { name: 'qoff', type: 'u32' },
  { name: 'causal', type: 'u32' },
];

/**
 * A form of a row program whose workgroup form has `workgroup` invocations per row. The serial one takes one
 * invocation per row (SERIAL_WG rows per workgroup) summing in that tree (TREE_WIDTH), so both give the same bits.
 */
function rowForm(spec: ProgramSpec, workgroup: number, variant: AttentionRowVariant): ProgramSpec {
  if (variant === 'workgroup') return spec;
  if (variant === 'subgroup') {
    // The same body: its reduce_sum / reduce_max come from subgroup-reduce.wgsl instead of workgroup-reduce.wgsl.
    return { ...spec, name: `${spec.name}_subgroup`, subgroups: true, includes: withReduce(spec, 'subgroup-reduce') };
  }
  return {
    ...spec,
    name: `${spec.name}_serial`,
    shader: `${spec.shader}-serial`,
    workgroupSize: [SERIAL_WG],
    constants: { ...spec.constants, TREE_WIDTH: workgroup },
    includes: withReduce(spec, 'tree-sum'),
  };
}

/** The workgroup form's includes with its reduction (workgroup-reduce) swapped for another form's. */
function withReduce(spec: ProgramSpec, reduce: string): string[] {
  return (spec.includes ?? []).map((name) => (name === 'workgroup-reduce' ? reduce : name));
}

/**
 * Scores, mask and softmax; one workgroup per (b,h,i) row, or one invocation per row (serial). Without bias /
 * keyMask their bindings are placeholders.
 */
export function attentionScoresProgram(hasBias: boolean, hasMask: boolean, workgroup = 64, variant: AttentionRowVariant = 'workgroup'): ProgramSpec {
  const spec: ProgramSpec = {
    name: `attention_scores${hasBias ? '_bias' : ''}${hasMask ? '_mask' : ''}`,
    shader: 'attention-scores',
    workgroupSize: [workgroup],
    bindings: [
      { name: 'probs', access: 'read_write', type: 'f32' },
      // Named by role in the shared row code (shaders/attention-row.wgsl): q is row_src, k is key_src.
      { name: 'row_src', access: 'read', type: 'f32' },
      { name: 'key_src', access: 'read', type: 'f32' },
      { name: 'bias', access: 'read', type: 'f32' },
      { name: 'key_mask', access: 'read', type: 'u32' },
    ],
    uniforms,
    constants: { MAX_D: ATTENTION_MAX_D, HAS_BIAS: hasBias, HAS_MASK: hasMask },
    includes: ['workgroup-reduce', 'attention-row', 'attention-score'],
  };
  return rowForm(spec, workgroup, variant);
}

/** w scaled by drop (the dropout scale) when hasDrop; otherwise drop is bound to a placeholder and never read. */
function mixProgram(name: string, shader: string, hasDrop: boolean): ProgramSpec {
  return {
    name: `${name}${hasDrop ? '_drop' : ''}`,
    shader,
    workgroupSize: [ELEMENT_WG],
    bindings: [
      { name: 'out', access: 'read_write', type: 'f32' },
      { name: 'w', access: 'read', type: 'f32' },
      { name: 'x', access: 'read', type: 'f32' },
      { name: 'drop', access: 'read', type: 'f32' },
    ],
    uniforms,
    constants: { HAS_DROP: hasDrop },
    includes: ['attention-weighted-sum'],
  };
}

/** out[b,i,h,:] = sum_j w[b,h,i,j] (* drop) x[b,j,h,:]: probs.v forward, dscores.k for dq. */
export function attentionMixProgram(hasDrop = false): ProgramSpec {
  return mixProgram('attention_mix', 'attention-mix', hasDrop);
}

/** out[b,j,h,:] = sum_i w[b,h,i,j] (* drop) x[b,i,h,:] (zero for Tk <= j < Cap): dscores^T.q for dk, probs^T.dout for dv. */
export function attentionMixTransposedProgram(hasDrop = false): ProgramSpec {
  return mixProgram('attention_mix_t', 'attention-mix-t', hasDrop);
}

/** dS = P * (dP - rowsum(P * dP)), dP = dout.v^T (* drop); one workgroup per (b,h,i) row, or one invocation (serial). */
export function attentionDScoresProgram(workgroup = 64, hasDrop = false, variant: AttentionRowVariant = 'workgroup'): ProgramSpec {
  const spec: ProgramSpec = {
    name: `attention_dscores${hasDrop ? '_drop' : ''}`,
    shader: 'attention-dscores',
    workgroupSize: [workgroup],
    bindings: [
      { name: 'dscores', access: 'read_write', type: 'f32' },
      // Named by role in the shared row code (shaders/attention-row.wgsl): dout is row_src, v is key_src.
      { name: 'row_src', access: 'read', type: 'f32' },
      { name: 'key_src', access: 'read', type: 'f32' },
      { name: 'probs', access: 'read', type: 'f32' },
      { name: 'drop', access: 'read', type: 'f32' },
    ],
    uniforms,
    constants: { MAX_D: ATTENTION_MAX_D, HAS_DROP: hasDrop },
    includes: ['workgroup-reduce', 'attention-row'],
  };
  return rowForm(spec, workgroup, variant);
}

/** Workgroups for the score rows: `wg` invocations per row in the workgroup form, one per row in the serial one. */
function rowDispatch(gpu: Gpu, spec: ProgramSpec, variant: AttentionRowVariant, rows: number, wg: number): [number, number] {
  return gpu.grid1d(spec, variant === 'serial' ? rows : rows * wg);
}

/** The score-row form for these rows: forced, tuned on GPUs (timing the scores kernel), or by rule. */
function rowVariant(gpu: Gpu, op: string, c: Checked, forced: AttentionRowVariant | undefined): AttentionRowVariant {
  return chooseReduceVariant(gpu, op, c.rows, c.values.Tk, forced, (v) => scoresTrial(gpu, c, v as AttentionRowVariant));
}

async function scoresTrial(gpu: Gpu, c: Checked, variant: AttentionRowVariant): Promise<number> {
  const q = gpu.tensor([c.qSize], 'f32', 'scratch', 'autotune:q');
  const k = gpu.tensor([c.kvSize], 'f32', 'scratch', 'autotune:k');
  const probs = gpu.tensor([c.rows * c.values.Tk], 'f32', 'scratch', 'autotune:probs');
  const wg = attentionRowWorkgroup(c.values.Tk);
  const spec = attentionScoresProgram(false, false, wg, variant);
  try {
    return await timeReduceTrial(gpu, () =>
      gpu.dispatch(spec, { probs, row_src: q, key_src: k, bias: q, key_mask: q }, { ...c.values, n: c.rows }, rowDispatch(gpu, spec, variant, c.rows, wg)));
  } finally {
    gpu.free(q, k, probs);
  }
}

/** dbias += sum over the batch of dscores. */
export const attentionDBiasProgram: ProgramSpec = {
  name: 'attention_dbias',
  shader: 'attention-dbias',
  workgroupSize: [ELEMENT_WG],
  bindings: [
    { name: 'dbias', access: 'read_write', type: 'f32' },
    { name: 'dscores', access: 'read', type: 'f32' },
  ],
  uniforms,
};

export interface AttentionOptions {
  /**
   * Dropout on the attention probabilities: (B,NH,Tq,Tk) holding keep/(1-p) per entry (0 where dropped). Forward
   * computes out = (probs * scale).v; backward needs the same tensor. null or absent: no dropout (inference, p = 0).
   */
  probsDropoutScale?: Bindable | null;
  /** Force the score-row form (tests, bench); default = tuned or by rule (reduce-variants.ts). */
  rowVariant?: AttentionRowVariant;
}

interface Checked {
  values: Record<string, number>;
  rows: number; // B*NH*Tq score rows
  qSize: number; // B*Tq*C
  kvSize: number; // B*Cap*C
  biasSize: number; // NH*Tq*Tk
}

function checkDims(fn: string, dims: AttentionDims): Checked {
  const { B, Tq, Tk, NH, D } = dims;
  const cap = dims.kvCapacity ?? Tk;
  const qoff = dims.queryOffset ?? 0;
  expectIntegers(fn, {
    'dims.B': [B, 1], 'dims.Tq': [Tq, 1], 'dims.Tk': [Tk, 1], 'dims.NH': [NH, 1], 'dims.D': [D, 1],
    'dims.kvCapacity': [cap, Tk], 'dims.queryOffset': [qoff, 0],
  });
  if (D > ATTENTION_MAX_D) throw new RangeError(`${fn}: dims.D = ${D} exceeds the supported maximum ${ATTENTION_MAX_D}`);
  const C = NH * D;
  const values = { n: 0, B, Tq, Tk, NH, D, cap, qoff, causal: dims.causal ? 1 : 0 };
  return { values, rows: B * NH * Tq, qSize: B * Tq * C, kvSize: B * cap * C, biasSize: NH * Tq * Tk };
}

/**
 * Forward: probs = softmax(q.k^T + bias + mask) per head, out = probs.v.
 * bias (NH,Tq,Tk) or null (cross-attention), shared across the batch; keyMask (B,Tk) u32, 1 = attend, 0 = padding, or null.
 * probs (B,NH,Tq,Tk) written and kept for backward (undropped); out (B,Tq,NH*D) written.
 * options.probsDropoutScale (B,NH,Tq,Tk): dropout on the probabilities, out = (probs * scale).v.
 */
export function attentionForward(
  gpu: Gpu,
  out: Bindable,
  probs: Bindable,
  q: Bindable,
  k: Bindable,
  v: Bindable,
  bias: Bindable | null,
  keyMask: Bindable | null,
  dims: AttentionDims,
  options: AttentionOptions = {},
): void {
  const fn = 'attentionForward';
  const drop = options.probsDropoutScale ?? null;
  const c = checkDims(fn, dims);
  const { B, Tq, Tk, NH, D } = dims;
  const cap = c.values.cap;
  expectBinding(fn, 'q', q, c.qSize, 'f32', `(B,Tq,NH*D) = (${B},${Tq},${NH * D})`);
  expectBinding(fn, 'k', k, c.kvSize, 'f32', `(B,kvCapacity,NH*D) = (${B},${cap},${NH * D})`);
  expectBinding(fn, 'v', v, c.kvSize, 'f32', `(B,kvCapacity,NH*D) = (${B},${cap},${NH * D})`);
  expectBinding(fn, 'out', out, c.qSize, 'f32', `(B,Tq,NH*D) = (${B},${Tq},${NH * D})`);
  expectBinding(fn, 'probs', probs, c.rows * Tk, 'f32', `(B,NH,Tq,Tk) = (${B},${NH},${Tq},${Tk})`);
  if (bias) expectBinding(fn, 'bias', bias, c.biasSize, 'f32', `(NH,Tq,Tk) = (${NH},${Tq},${Tk})`);
  if (keyMask) expectBinding(fn, 'keyMask', keyMask, B * Tk, 'u32', `(B,Tk) = (${B},${Tk})`);
  if (drop) expectBinding(fn, 'probsDropoutScale', drop, c.rows * Tk, 'f32', `(B,NH,Tq,Tk) = (${B},${NH},${Tq},${Tk})`);
  expectOutputsDistinct(fn, { out, probs }, { q, k, v, bias, keyMask, probsDropoutScale: drop });

  const wg = attentionRowWorkgroup(Tk);
  const variant = rowVariant(gpu, 'attention_rows', c, options.rowVariant);
  const scores = attentionScoresProgram(bias !== null, keyMask !== null, wg, variant);
  // Absent inputs are bound to q, which is read-only here, and never read (HAS_BIAS / HAS_MASK are false).
  gpu.dispatch(scores, { probs, row_src: q, key_src: k, bias: bias ?? q, key_mask: keyMask ?? q }, { ...c.values, n: c.rows }, rowDispatch(gpu, scores, variant, c.rows, wg));
  const mix = attentionMixProgram(drop !== null);
  gpu.dispatch(mix, { out, w: probs, x: v, drop: drop ?? v }, { ...c.values, n: c.qSize }, gpu.grid1d(mix, c.qSize));
}

/**
 * Backward of attentionForward with the mask a constant (as autograd sees HF's additive mask).
 * dout (B,Tq,NH*D); q, k, v, probs as in forward. dq (B,Tq,NH*D), dk, dv (B,kvCapacity,NH*D) are OVERWRITTEN
 * (rows Tk..kvCapacity of dk and dv are set to 0). dbias (NH,Tq,Tk) ACCUMULATES: += sum over the batch of dscores
 * (pass null when there is no bias). dscores (B,NH,Tq,Tk) is caller-provided scratch, left holding dS.
 * Masked entries of a live row get zero gradient (their probability is exactly 0).
 * options.probsDropoutScale must be the tensor the forward used (dP and dv are scaled by it).
 */
export function attentionBackward(
  gpu: Gpu,
  dq: Bindable,
  dk: Bindable,
  dv: Bindable,
  dbias: Bindable | null,
  dscores: Bindable,
  dout: Bindable,
  q: Bindable,
  k: Bindable,
  v: Bindable,
  probs: Bindable,
  dims: AttentionDims,
  options: AttentionOptions = {},
): void {
  const fn = 'attentionBackward';
  const drop = options.probsDropoutScale ?? null;
  const c = checkDims(fn, dims);
  const { B, Tq, Tk, NH, D } = dims;
  const cap = c.values.cap;
  const qShape = `(B,Tq,NH*D) = (${B},${Tq},${NH * D})`;
  const kvShape = `(B,kvCapacity,NH*D) = (${B},${cap},${NH * D})`;
  const pShape = `(B,NH,Tq,Tk) = (${B},${NH},${Tq},${Tk})`;
  expectBinding(fn, 'dout', dout, c.qSize, 'f32', qShape);
  expectBinding(fn, 'q', q, c.qSize, 'f32', qShape);
  expectBinding(fn, 'k', k, c.kvSize, 'f32', kvShape);
  expectBinding(fn, 'v', v, c.kvSize, 'f32', kvShape);
  expectBinding(fn, 'probs', probs, c.rows * Tk, 'f32', pShape);
  expectBinding(fn, 'dq', dq, c.qSize, 'f32', qShape);
  expectBinding(fn, 'dk', dk, c.kvSize, 'f32', kvShape);
  expectBinding(fn, 'dv', dv, c.kvSize, 'f32', kvShape);
  expectBinding(fn, 'dscores', dscores, c.rows * Tk, 'f32', pShape);
  if (dbias) expectBinding(fn, 'dbias', dbias, c.biasSize, 'f32', `(NH,Tq,Tk) = (${NH},${Tq},${Tk})`);
  if (drop) expectBinding(fn, 'probsDropoutScale', drop, c.rows * Tk, 'f32', pShape);
  const outputs: Record<string, Bindable> = { dq, dk, dv, dscores };
  if (dbias) outputs.dbias = dbias;
  expectOutputsDistinct(fn, outputs, { dout, q, k, v, probs, probsDropoutScale: drop });

  const wg = attentionRowWorkgroup(Tk);
  const variant = rowVariant(gpu, 'attention_rows', c, options.rowVariant);
  const dscoresProgram = attentionDScoresProgram(wg, drop !== null, variant);
  gpu.dispatch(dscoresProgram, { dscores, row_src: dout, key_src: v, probs, drop: drop ?? v }, { ...c.values, n: c.rows }, rowDispatch(gpu, dscoresProgram, variant, c.rows, wg));
  if (dbias) {
    gpu.dispatch(attentionDBiasProgram, { dbias, dscores }, { ...c.values, n: c.biasSize }, gpu.grid1d(attentionDBiasProgram, c.biasSize));
  }
  const mix = attentionMixProgram(false);
  gpu.dispatch(mix, { out: dq, w: dscores, x: k, drop: k }, { ...c.values, n: c.qSize }, gpu.grid1d(mix, c.qSize));
  const mixT = attentionMixTransposedProgram(false);
  const kvGrid = gpu.grid1d(mixT, c.kvSize);
  gpu.dispatch(mixT, { out: dk, w: dscores, x: q, drop: q }, { ...c.values, n: c.kvSize }, kvGrid);
  const mixTDrop = attentionMixTransposedProgram(drop !== null);
  gpu.dispatch(mixTDrop, { out: dv, w: probs, x: dout, drop: drop ?? dout }, { ...c.values, n: c.kvSize }, kvGrid);
}
