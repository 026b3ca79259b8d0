// T5 relative position bias: a (Tq,Tk) table of bucket ids built on the CPU, then a gather from the learned
// (numBuckets, NH) table into the (NH,Tq,Tk) bias added to attention scores, and its deterministic backward.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectTensor } from './kernel-args';

export interface BucketOptions {
  queryLength: number;
  keyLength: number;
  /** true in the encoder (half the buckets for keys after the query), false in the causal decoder. */
  bidirectional: boolean;
  /** config.relative_attention_num_buckets (32 for T5 and FLAN-T5). */
  numBuckets: number;
  /** config.relative_attention_max_distance (128): distances from here on share the last bucket. */
  maxDistance: number;
  /** Position of query row 0, for cached decoding (key positions always start at 0). */
  queryOffset?: number;
}

interface BucketScheme {
  /** Buckets per direction, max exact distance, log-spaced buckets, and f32(log(maxDistance / maxExact)). */
  perDirection: number;
  maxExact: number;
  logBuckets: number;
  logRange: number;
}

function bucketScheme(bidirectional: boolean, numBuckets: number, maxDistance: number): BucketScheme {
  if (!Number.isInteger(numBuckets) || !Number.isInteger(maxDistance)) {
    throw new RangeError(`relative position buckets: numBuckets (${numBuckets}) and maxDistance (${maxDistance}) must be integers`);
  }
  const perDirection = bidirectional ? Math.floor(numBuckets / 2) : numBuckets;
  const maxExact = Math.floor(perDirection / 2);
  if (maxExact < 1) throw new RangeError(`relative position buckets: numBuckets ${numBuckets} is too small (${bidirectional ? 'bidirectional needs >= 4' : 'needs >= 2'})`);
  if (maxDistance <= maxExact) throw new RangeError(`relative position buckets: maxDistance ${maxDistance} must exceed the exact range ${maxExact}`);
  return { perDirection, maxExact, logBuckets: perDirection - maxExact, logRange: Math.fround(Math.log(maxDistance / maxExact)) };
}

/**
 * Bucket of one relative position (key - query), reproducing HF's _relative_position_bucket bit for bit.
 * HF evaluates the log-spaced bucket in float32 and truncates:
 *   maxExact + long(f32(log(f32(n / maxExact))) / f32(log(maxDistance / maxExact)) * logBuckets).
 * We do the same steps in float64 rounded to f32 after each (Math.fround), with the log computed in float64
 * first so it is the correctly rounded f32 log. This is NOT the same as exact real maths for every config:
 * for T5's (32, 128) both agree at every distance 0..1000 in both modes (16, 32, 64 land exactly on
 * buckets 10, 12, 14), but e.g. (bidirectional, 92, 164) at distance 107 HF's f32 rounds up to bucket 41 where
 * exact maths gives 40. The tests check this function against PyTorch over a sweep of configs.
 */
function bucketOf(relative: number, bidirectional: boolean, s: BucketScheme): number {
  let bucket = 0;
  let n: number;
  if (bidirectional) {
    if (relative > 0) bucket += s.perDirection;
    n = Math.abs(relative);
  } else {
    n = Math.max(-relative, 0);
  }
  if (n < s.maxExact) return bucket + n;
  const f = Math.fround;
  const scaled = f(f(f(Math.log(f(n / s.maxExact))) / s.logRange) * s.logBuckets);
  return bucket + Math.min(s.maxExact + Math.trunc(scaled), s.perDirection - 1);
}

/** Bucket of one relative position (key - query); see relativePositionBuckets for the semantics. */
export function relativePositionBucket(relative: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  return bucketOf(relative, bidirectional, bucketScheme(bidirectional, numBuckets, maxDistance));
}

/** CPU, (Tq,Tk) row-major: bucket of (key k - (queryOffset + q)), exactly HF's buckets (see bucketOf). */
export function relativePositionBuckets(o: BucketOptions): Uint32Array {
  const { queryLength: Tq, keyLength: Tk, bidirectional } = o;
  const offset = o.queryOffset ?? 0;
  for (const [name, v] of [['queryLength', Tq], ['keyLength', Tk], ['queryOffset', offset]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`relativePositionBuckets: ${name} must be a non-negative integer, got ${v}`);
  }
  const scheme = bucketScheme(bidirectional, o.numBuckets, o.maxDistance);
  // Relative positions run over Tq + Tk - 1 values: compute each once.
  const lowest = -(offset + Tq - 1);
  const byRelative = Uint32Array.from({ length: Math.max(0, Tq + Tk - 1) }, (_, i) => bucketOf(lowest + i, bidirectional, scheme));
  const out = new Uint32Array(Tq * Tk);
  for (let q = 0; q < Tq; q++) {
    for (let k = 0; k < Tk; k++) out[q * Tk + k] = byRelative[k - (offset + q) - lowest];
  }
  return out;
}

export const positionBiasForwardProgram: ProgramSpec = {
  name: 'position_bias_forward',
  shader: 'position-bias',
  workgroupSize: [256],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'buckets', access: 'read', type: 'u32' },
    { name: 'table', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'QK', type: 'u32' },
    { name: 'NH', type: 'u32' },
  ],
};

const BACKWARD_WG = 64;
const backwardPrograms = new Map<number, ProgramSpec>();

/** The backward program for numBuckets buckets: each invocation owns buckets lid, lid + WG, ... */
export function positionBiasBackwardProgram(numBuckets: number): ProgramSpec {
  const perInvocation = Math.max(1, Math.ceil(numBuckets / BACKWARD_WG));
  let spec = backwardPrograms.get(perInvocation);
  if (!spec) {
    spec = {
      name: 'position_bias_backward',
      shader: 'position-bias-backward',
      workgroupSize: [BACKWARD_WG],
      bindings: [
        { name: 'dtable', access: 'read_write', type: 'f32' },
        { name: 'dbias', access: 'read', type: 'f32' },
        { name: 'buckets', access: 'read', type: 'u32' },
      ],
      uniforms: [
        { name: 'Tq', type: 'u32' },
        { name: 'Tk', type: 'u32' },
        { name: 'NH', type: 'u32' },
        { name: 'numBuckets', type: 'u32' },
      ],
      constants: { BUCKETS_PER_INVOCATION: perInvocation },
    };
    backwardPrograms.set(perInvocation, spec);
  }
  return spec;
}

function expectSizes(kernel: string, sizes: Record<string, number>): void {
  for (const [name, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel}: ${name} must be a non-negative integer, got ${v}`);
  }
}

// table (numBuckets, NH) = HF relative_attention_bias.weight; buckets (Tq,Tk) u32; out (NH,Tq,Tk)
/** out[h,q,k] = table[buckets[q,k], h]; out is overwritten. Buckets must be < numBuckets (relativePositionBuckets ensures it). */
export function positionBiasForward(gpu: Gpu, out: Bindable, buckets: Bindable, table: Bindable, Tq: number, Tk: number, NH: number, numBuckets: number): void {
  const k = 'positionBiasForward';
  expectSizes(k, { Tq, Tk, NH, numBuckets });
  expectTensor(k, 'out', out, 'f32', NH * Tq * Tk, `(NH,Tq,Tk) = (${NH},${Tq},${Tk})`);
  expectTensor(k, 'buckets', buckets, 'u32', Tq * Tk, `(Tq,Tk) = (${Tq},${Tk})`);
  expectTensor(k, 'table', table, 'f32', numBuckets * NH, `(numBuckets,NH) = (${numBuckets},${NH})`);
  const n = NH * Tq * Tk;
  gpu.dispatch(positionBiasForwardProgram, { out, buckets, table }, { QK: Tq * Tk, NH }, gpu.grid1d(positionBiasForwardProgram, n));
}

// dbias (NH,Tq,Tk); dtable (numBuckets,NH) += sum of dbias over (q,k) in each bucket (deterministic)
/**
 * One workgroup per head sums each diagonal of dbias (q ascending), then each bucket's diagonals (diagonal
 * ascending): every cell read once, a fixed order, no atomics. dtable accumulates. buckets must depend only on
 * k - q, as relativePositionBuckets' tables do (the kernel reads one bucket per diagonal).
 */
export function positionBiasBackward(gpu: Gpu, dtable: Bindable, dbias: Bindable, buckets: Bindable, Tq: number, Tk: number, NH: number, numBuckets: number): void {
  const k = 'positionBiasBackward';
  expectSizes(k, { Tq, Tk, NH, numBuckets });
  expectTensor(k, 'dtable', dtable, 'f32', numBuckets * NH, `(numBuckets,NH) = (${numBuckets},${NH})`);
  expectTensor(k, 'dbias', dbias, 'f32', NH * Tq * Tk, `(NH,Tq,Tk) = (${NH},${Tq},${Tk})`);
  expectTensor(k, 'buckets', buckets, 'u32', Tq * Tk, `(Tq,Tk) = (${Tq},${Tk})`);
  if (Tq * Tk === 0) return;
  gpu.dispatch(positionBiasBackwardProgram(numBuckets), { dtable, dbias, buckets }, { Tq, Tk, NH, numBuckets }, NH);
}
