// Batched matmul in the three layouts training needs (A.B, A.B^T, A^T.B), with fused alpha, accumulate
// (out += ...) and residual add. f32 operands, or f16 operands (products in f16, sums in f32) where the
// adapter has shader-f16. Several program variants (see matmul-programs.ts); which one runs is forced by
// opts.variant or chosen per adapter and shape class by the Gpu's autotuner (src/gpu/autotune.ts).
// Operands too big for one storage binding are split into chunks (matmul-plan.ts).
//
// Shapes: a (batch,M,K) [or (batch,K,M) if transA], b (batch,K,N) [or (batch,N,K) if transB],
// out (batch,M,N), residual (batch,M,N). Per-batch strides default to dense; stride 0 broadcasts.
import { autotunerFor, isCpuAdapter, type TrialRunner } from '../autotune';
import type { Gpu } from '../gpu';
import { backingTensor, bindingRange, DTYPE_BYTES, isSlice, type Bindable, type DType } from '../tensor';
import { expectBinding, expectFloatPair, expectIntegers, expectOutputsDistinct } from './kernel-args';
import { checkDropoutOptions, dropUniforms, type DropoutOptions } from './dropout';
import { matmulProgram, secondIsVec4, VARIANT_TABLE, variantNamed, variantTile, type MatmulDropSite, type MatmulVariant } from './matmul-programs';
import { operandStart, planChunks, type Dim, type OperandLayout } from './matmul-plan';

export interface MatmulDims { M: number; N: number; K: number; batch?: number }

export interface MatmulOptions {
  transA?: boolean;      // A stored (K,M) instead of (M,K)
  transB?: boolean;      // B stored (N,K) instead of (K,N)
  alpha?: number;        // out = alpha * op(A) op(B)
  accumulate?: boolean;  // out += alpha * op(A) op(B)
  residual?: Bindable;   // out = residual + alpha * op(A) op(B); residual (batch,M,N); must not be `out` itself (use accumulate for that)
  strideA?: number; strideB?: number; strideOut?: number; // per-batch element strides; 0 broadcasts; defaults = dense
  variant?: string;      // force a variant (tests/bench); default = autotuned choice
  /**
   * Dropout fused into the call, with the mask the dropout kernel draws for these options over the whole operand
   * (element index in its storage order): on a's or b's elements as they load, or on alpha * op(A) op(B) before
   * accumulate or residual ('out', index m * N + n). f32 operands, batch 1, operands bound whole.
   */
  dropout?: DropoutOptions & { operand: MatmulDropSite };
  /**
   * out gets alpha2 * op(A2) op(B2) added in the store, before dropout 'out', accumulate and residual (dropout
   * 'second' drops this product alone): a LoRA adapter's layer beside its base weight, in the same dispatch.
   * a2 (M,K2) or (K2,M) if transA; b2 (K2,N) or (N,K2) if transB; f32, batch 1. Each output element is one
   * dot product of length K2, so K2 should be small (a rank).
   */
  second?: MatmulSecond;
  /** Pretend storage bindings are at most this many bytes (tests of the chunking); default = device limit. */
  maxBindingBytes?: number;
}

export interface MatmulSecond {
  a: Bindable;
  b: Bindable;
  K: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
}

export const MATMUL_VARIANTS: readonly string[] = VARIANT_TABLE.map((v) => v.name);

const tensorOf = backingTensor;

function baseOffset(t: Bindable): number {
  return isSlice(t) ? t.offset : 0;
}

/** Everything about one call that decides programs and chunks. */
interface Problem {
  M: number; N: number; K: number; batch: number;
  transA: boolean; transB: boolean;
  sA: number; sB: number; sO: number;
  f16: boolean;
  /** Where a fused dropout draws its mask; on a or b every load of an element redraws it. */
  drop?: MatmulDropSite | null;
}

/** Why `v` cannot run this problem, or null. */
export function variantUnfitness(v: MatmulVariant, p: Problem): string | null {
  if (v.kind !== 'reg4') return null;
  if (p.f16) return 'vec4 variants are f32 only';
  const contA = p.transA ? p.M : p.K;
  const contB = p.transB ? p.K : p.N;
  if (p.K % 4 || contA % 4 || contB % 4 || p.sA % 4 || p.sB % 4) {
    return `vec4 loads need K, the contiguous dimension of A and B, and the batch strides to be multiples of 4 (M ${p.M}, N ${p.N}, K ${p.K}, strideA ${p.sA}, strideB ${p.sB})`;
  }
  return null;
}

function shapeClass(p: Problem): string {
  const bucket = (x: number) => 2 ** Math.ceil(Math.log2(x));
  const v4 = variantUnfitness(variantNamed('reg4-4x4'), p) === null;
  return `${p.transA ? 't' : 'n'}${p.transB ? 't' : 'n'}${p.f16 ? '-f16' : ''}${v4 ? '-v4' : ''}${loadDrop(p) ? `-drop${p.drop}` : ''}-b${p.batch > 1 ? 'n' : '1'}-${bucket(p.M)}x${bucket(p.N)}x${bucket(p.K)}`;
}

/**
 * A mask drawn on an operand's loads is redrawn by every workgroup (tiled) or invocation (register blocks) that
 * loads the element, so such calls are tuned apart, among the tiles only, which load each element least often.
 */
function loadDrop(p: Problem): boolean {
  return p.drop === 'a' || p.drop === 'b';
}

/** What runs when nothing was tuned: register blocks on CPU adapters (vec4 where possible), tiles on GPUs. */
export function defaultVariant(gpu: Gpu, candidates: readonly string[], dropOnLoad = false): string {
  const order = isCpuAdapter(gpu.info) && !dropOnLoad ? ['reg4-4x4', 'reg-4x4'] : ['tiled-64x64'];
  return order.find((n) => candidates.includes(n)) ?? candidates[0];
}

function candidatesFor(p: Problem): string[] {
  // A register block redraws a load-side mask once per invocation sharing the element (N/4 or M/4 times, 32 for
  // a rank-128 adapter), a tile once per workgroup: on a CPU adapter the draws outweigh the product.
  const kinds = loadDrop(p) ? ['tiled'] : ['tiled', 'reg', 'reg4'];
  return VARIANT_TABLE.filter((v) => kinds.includes(v.kind) && variantUnfitness(v, p) === null).map((v) => v.name);
}

/** The variant a matmul with these arguments runs now (forced, tuned, or the default), without queuing a trial. */
export function matmulVariantFor(gpu: Gpu, dims: MatmulDims, opts: Pick<MatmulOptions, 'transA' | 'transB' | 'strideA' | 'strideB' | 'variant'> & { f16?: boolean } = {}): string {
  const { M, N, K } = dims;
  const p: Problem = {
    M, N, K, batch: dims.batch ?? 1, transA: !!opts.transA, transB: !!opts.transB,
    sA: opts.strideA ?? M * K, sB: opts.strideB ?? K * N, sO: M * N, f16: !!opts.f16,
  };
  if (opts.variant !== undefined) return chooseVariant(gpu, p, opts.variant).name;
  const candidates = candidatesFor(p);
  return autotunerFor(gpu).cached('matmul', shapeClass(p), candidates) ?? defaultVariant(gpu, candidates);
}

function chooseVariant(gpu: Gpu, p: Problem, forced: string | undefined): MatmulVariant {
  if (forced !== undefined) {
    const v = variantNamed(forced);
    const why = variantUnfitness(v, p);
    if (why) throw new Error(`matmul: variant "${forced}" cannot run this call: ${why}`);
    return v;
  }
  const candidates = candidatesFor(p);
  return variantNamed(autotunerFor(gpu).pick('matmul', shapeClass(p), candidates, defaultVariant(gpu, candidates, loadDrop(p)), trialFor(gpu, p)));
}

/**
 * out = alpha * op(A) op(B), or out += ... (accumulate), or out = residual + ... (residual).
 * a (batch,M,K) [or (batch,K,M) if transA], b (batch,K,N) [or (batch,N,K) if transB], out (batch,M,N)
 */
export function matmul(gpu: Gpu, out: Bindable, a: Bindable, b: Bindable, dims: MatmulDims, opts: MatmulOptions = {}): void {
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  expectIntegers('matmul', { M: [M, 1], N: [N, 1], K: [K, 1], batch: [batch, 1] });
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const sA = opts.strideA ?? M * K;
  const sB = opts.strideB ?? K * N;
  const sO = opts.strideOut ?? M * N;
  expectIntegers('matmul', { strideA: [sA, 0], strideB: [sB, 0], strideOut: [sO, 0] });
  if (batch > 1 && sO < M * N) throw new RangeError(`matmul: strideOut ${sO} makes the ${batch} output matrices (${M}x${N}) overlap`);
  const f16 = expectFloatPair('matmul', ['a', a], ['b', b]) === 'f16';
  if (f16 && !gpu.info.f16) throw new Error('matmul: f16 operands need the shader-f16 feature, which this adapter lacks');
  const residual = opts.residual;
  if (residual && opts.accumulate) throw new Error('matmul: pass either residual or accumulate, not both');
  expectOutputsDistinct('matmul', { out }, { a, b, residual }, 'use accumulate to add into out');
  const need = (what: string, t: Bindable, stride: number, rows: number, cols: number, dtype: 'f32' | 'f16') =>
    expectBinding('matmul', what, t, (batch - 1) * stride + rows * cols, dtype, `(batch ${batch}, ${rows}, ${cols}) with stride ${stride}`);
  const operand = f16 ? 'f16' : 'f32';
  need('a', a, sA, transA ? K : M, transA ? M : K, operand);
  need('b', b, sB, transB ? N : K, transB ? K : N, operand);
  need('out', out, sO, M, N, 'f32');
  if (residual) need('residual', residual, M * N, M, N, 'f32');

  const drop = opts.dropout && opts.dropout.p > 0 ? opts.dropout : undefined;
  if (opts.dropout) {
    checkDropoutOptions('matmul', opts.dropout);
    if (f16) throw new Error('matmul: fused dropout takes f32 operands only');
    if (batch !== 1) throw new Error(`matmul: fused dropout runs on batch 1 only (got batch ${batch})`);
  }

  const second = opts.second;
  if (opts.dropout?.operand === 'second' && !second) throw new Error('matmul: dropout on the second product needs opts.second');
  if (second) {
    expectIntegers('matmul', { K2: [second.K, 1] });
    if (f16) throw new Error('matmul: a second product takes f32 operands only');
    if (batch !== 1) throw new Error(`matmul: a second product runs on batch 1 only (got batch ${batch})`);
    expectOutputsDistinct('matmul', { out }, { a2: second.a, b2: second.b }, 'the second product reads them while out is written');
    need('a2', second.a, 0, second.transA ? second.K : M, second.transA ? M : second.K, 'f32');
    need('b2', second.b, 0, second.transB ? N : second.K, second.transB ? second.K : N, 'f32');
  }

  const p: Problem = { M, N, K, batch, transA, transB, sA, sB, sO, f16, drop: drop?.operand ?? null };
  const variant = chooseVariant(gpu, p, opts.variant);
  run(gpu, variant, p, { out, a, b, residual }, opts.alpha ?? 1, !!opts.accumulate, opts.maxBindingBytes, drop, second);
}

/** The second product's uniforms for an (M, N) output (zeros without one: the program then never reads them). */
export function secondUniforms(p: { M: number; N: number }, second: MatmulSecond | undefined): Record<string, number> {
  if (!second) return { K2: 0, lda2: 0, ldb2: 0, offA2: 0, offB2: 0, alpha2: 0 };
  return {
    K2: second.K, lda2: second.transA ? p.M : second.K, ldb2: second.transB ? second.K : p.N,
    offA2: 0, offB2: 0, alpha2: second.alpha ?? 1,
  };
}



interface Operands { out: Bindable; a: Bindable; b: Bindable; residual?: Bindable }

function run(
  gpu: Gpu, variant: MatmulVariant, p: Problem, ops: Operands, alpha: number, accumulate: boolean, maxBindingBytes?: number,
  drop?: DropoutOptions & { operand: MatmulDropSite }, second?: MatmulSecond,
): void {
  const limit = Math.min(maxBindingBytes ?? Infinity, gpu.device.limits.maxStorageBufferBindingSize);
  const alignBytes = gpu.device.limits.minStorageBufferOffsetAlignment;
  const inBytes = p.f16 ? 2 : 4;
  const layouts: Record<keyof Operands, Omit<OperandLayout, 'fitsWhole'>> = {
    a: { name: 'a', rowDim: p.transA ? 'k' : 'm', colDim: p.transA ? 'm' : 'k', ld: p.transA ? p.M : p.K, stride: p.sA, bytesPer: inBytes },
    b: { name: 'b', rowDim: p.transB ? 'n' : 'k', colDim: p.transB ? 'k' : 'n', ld: p.transB ? p.K : p.N, stride: p.sB, bytesPer: inBytes },
    out: { name: 'out', rowDim: 'm', colDim: 'n', ld: p.N, stride: p.sO, bytesPer: 4 },
    residual: { name: 'residual', rowDim: 'm', colDim: 'n', ld: p.N, stride: p.M * p.N, bytesPer: 4 },
  };
  const names = (['out', 'a', 'b', 'residual'] as const).filter((n) => ops[n] !== undefined);
  const fits = (t: Bindable) => bindingRange(t).size <= limit;
  const operands: OperandLayout[] = names.map((n) => ({ ...layouts[n], fitsWhole: fits(ops[n]!) }));
  const chunks = planChunks({
    sizes: { b: p.batch, m: p.M, n: p.N, k: p.K },
    operands,
    maxBindingBytes: limit,
    offsetAlignBytes: alignBytes,
    tile: variantTile(variant),
    maxWorkgroups: gpu.device.limits.maxComputeWorkgroupsPerDimension,
  });
  // The mask is indexed from each operand's first element, which a chunked call no longer binds at 0.
  if ((drop || second) && chunks.length > 1) {
    throw new Error(`matmul: fused dropout or a second product needs operands bound whole, but this call (M ${p.M}, N ${p.N}, K ${p.K}) is split into ${chunks.length} chunks`);
  }
  const { tm, tn } = variantTile(variant);
  for (const c of chunks) {
    const start = Object.fromEntries(Object.entries(c.ranges).map(([d, r]) => [d, r.start])) as Record<Dim, number>;
    const size = Object.fromEntries(Object.entries(c.ranges).map(([d, r]) => [d, r.size])) as Record<Dim, number>;
    const bound: Partial<Record<keyof Operands, { t: Bindable; off: number }>> = {};
    for (const op of operands) {
      const n = op.name as keyof Operands;
      bound[n] = bindOperand(gpu, ops[n]!, op, start, size, alignBytes);
    }
    const first = c.firstK;
    const spec = matmulProgram({
      variant, transA: p.transA, transB: p.transB, accumulate: accumulate || !first, residual: !!ops.residual && first, f16: p.f16,
      drop: drop?.operand ?? null,
      second: second ? { transA: !!second.transA, transB: !!second.transB, vec4: secondIsVec4(!!second.transA, !!second.transB, second.K) } : null,
    });
    const res = ops.residual && first ? bound.residual! : { t: bound.a!.t, off: 0 };
    gpu.dispatch(
      spec,
      { out: bound.out!.t, a: bound.a!.t, b: bound.b!.t, residual: res.t, a2: second?.a ?? bound.a!.t, b2: second?.b ?? bound.a!.t },
      {
        M: size.m, N: size.n, K: size.k,
        lda: layouts.a.ld, ldb: layouts.b.ld, ldo: p.N, ldr: p.N,
        sA: p.sA, sB: p.sB, sO: p.sO, sR: p.M * p.N,
        offA: bound.a!.off, offB: bound.b!.off, offO: bound.out!.off, offR: res.off,
        alpha,
        ...dropUniforms(drop),
        ...secondUniforms(p, second),
      },
      [Math.ceil(size.n / tn), Math.ceil(size.m / tm), size.b],
    );
  }
}

/** Bind an operand whole (offset in uniforms) or, when it is too big, as an aligned slice around the chunk. */
function bindOperand(gpu: Gpu, t: Bindable, op: OperandLayout, start: Record<Dim, number>, size: Record<Dim, number>, alignBytes: number): { t: Bindable; off: number } {
  const first = operandStart(op, start);
  if (op.fitsWhole) return { t, off: first };
  const tensor = tensorOf(t);
  const alignEls = alignBytes / DTYPE_BYTES[tensor.dtype];
  const absFirst = baseOffset(t) + first;
  const sliceStart = Math.floor(absFirst / alignEls) * alignEls;
  const span = (size.b - 1) * op.stride + (size[op.rowDim] - 1) * op.ld + size[op.colDim];
  const end = Math.min(tensor.size, Math.ceil((absFirst + span) / 4) * 4);
  return { t: gpu.slice(tensor, sliceStart, end - sliceStart), off: absFirst - sliceStart };
}

// ---- autotune trials ----

/** Trial repetitions per candidate (after one untimed warm-up); small so first use stays short. */
export const MATMUL_TRIAL_REPS = 3;

function trialFor(gpu: Gpu, p: Problem): TrialRunner {
  return async (candidate) => {
    const dtype: DType = p.f16 ? 'f16' : 'f32';
    const aSize = (p.batch - 1) * p.sA + p.M * p.K;
    const bSize = (p.batch - 1) * p.sB + p.K * p.N;
    const a = gpu.tensor([aSize], dtype, 'scratch', 'autotune:a');
    const b = gpu.tensor([bSize], dtype, 'scratch', 'autotune:b');
    const out = gpu.tensor([(p.batch - 1) * p.sO + p.M * p.N], 'f32', 'scratch', 'autotune:out');
    try {
      const dropout = p.drop ? { operand: p.drop, p: 0.1, seed: 1, stream: 0 } : undefined;
      const opts: MatmulOptions = { transA: p.transA, transB: p.transB, strideA: p.sA, strideB: p.sB, strideOut: p.sO, dropout, variant: candidate };
      matmul(gpu, out, a, b, p, opts);
      await gpu.finish();
      const t0 = performance.now();
      for (let i = 0; i < MATMUL_TRIAL_REPS; i++) matmul(gpu, out, a, b, p, opts);
      await gpu.finish();
      return (performance.now() - t0) / 1000 / MATMUL_TRIAL_REPS;
    } finally {
      gpu.free(a, b, out);
    }
  };
}
