// NF4 quantization on the CPU, bitsandbytes' algorithm step by step in float32 (every operation is rounded
// with Math.fround, which is exact IEEE float32 for +, -, *, /). Loaders use it, and it is the reference the
// GPU quantize kernel must match bit for bit. Codes are bitsandbytes' uint8 array: element 2j in the high
// nibble of byte j.
import { DYNAMIC_MAP, NF4_BLOCK, NF4_CODE_F32, NF4_DOUBLE_BLOCK, NF4_THRESHOLDS, NF4_ZERO_CODE } from './nf4-tables';

const f32 = Math.fround;

/** Code index of a scaled value: how many midpoints lie strictly below it (ties low; NaN gives 0, as bnb's tree). */
export function nf4CodeOf(s: number): number {
  let q = 0;
  for (let i = 0; i < 15; i++) if (s > NF4_THRESHOLDS[i]) q++;
  return q;
}

export function nf4Blocks(n: number): number {
  return Math.ceil(n / NF4_BLOCK);
}

/**
 * w (n) float32, flattened row-major -> codes (ceil(n/2) bytes) and absmax (ceil(n/64)).
 * Full blocks multiply by f32(1/absmax); the tail block divides. An all-zero block gets absmax 0 and
 * codes 0 (0 * inf is NaN, which bnb's tree sends to code 0); dequantizing gives zeros either way.
 */
export function nf4QuantizeCpu(w: Float32Array): { codes: Uint8Array; absmax: Float32Array } {
  const n = w.length;
  const nblocks = nf4Blocks(n);
  const absmax = new Float32Array(nblocks);
  const codes = new Uint8Array(Math.ceil(n / 2));
  for (let b = 0; b < nblocks; b++) {
    const start = b * NF4_BLOCK;
    const end = Math.min(n, start + NF4_BLOCK);
    let a = 0;
    for (let i = start; i < end; i++) a = Math.max(a, Math.abs(w[i]));
    absmax[b] = a;
    const full = end - start === NF4_BLOCK;
    const r = f32(1 / a);
    for (let i = start; i < end; i++) {
      const s = full ? f32(w[i] * r) : f32(w[i] / a);
      const q = nf4CodeOf(Math.min(1, Math.max(-1, s)));
      codes[i >> 1] |= i & 1 ? q : q << 4;
    }
  }
  if (n & 1) codes[n >> 1] |= NF4_ZERO_CODE;
  return { codes, absmax };
}

/** The code index of element i in bnb's packed bytes. */
export function nf4Nibble(codes: Uint8Array, i: number): number {
  const byte = codes[i >> 1];
  return i & 1 ? byte & 15 : byte >> 4;
}

/** codes + absmax (ceil(n/64)) -> n float32 values, code * absmax in float32. */
export function nf4DequantizeCpu(codes: Uint8Array, absmax: Float32Array, n: number): Float32Array {
  if (codes.length < Math.ceil(n / 2)) throw new RangeError(`nf4DequantizeCpu: codes has ${codes.length} bytes, ${n} elements need ${Math.ceil(n / 2)}`);
  if (absmax.length < nf4Blocks(n)) throw new RangeError(`nf4DequantizeCpu: absmax has ${absmax.length} values, ${n} elements need ${nf4Blocks(n)}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f32(NF4_CODE_F32[nf4Nibble(codes, i)] * absmax[i >> 6]);
  return out;
}

/**
 * Mean in float32 in one fixed order that the GPU repeats exactly: 256 lane sums (lane p adds v[p], v[p+256],
 * ... in order), a pairwise tree over the lanes (stride 128 down to 1), then one correctly rounded division.
 * (torch's own float32 mean may differ from this in the last bit; the order is what makes CPU == GPU.)
 */
export function f32Mean(v: Float32Array): number {
  const lanes = new Float32Array(256);
  for (let i = 0; i < v.length; i++) lanes[i & 255] = f32(lanes[i & 255] + v[i]);
  for (let stride = 128; stride >= 1; stride >>= 1) {
    for (let p = 0; p < stride; p++) lanes[p] = f32(lanes[p] + lanes[p + stride]);
  }
  return v.length ? f32(lanes[0] / v.length) : 0;
}

/** bitsandbytes' dQuantize<0>: a 7-step binary search from pivot 127, then a float32 midpoint test. */
export function dynamicCodeOf(x: number, code: Float32Array = DYNAMIC_MAP): number {
  let pivot = 127;
  let upperPivot = 255;
  let lowerPivot = 0;
  let lower = -1;
  let upper = 1;
  let val = code[pivot];
  for (let i = 64; i > 0; i >>= 1) {
    if (x > val) {
      lowerPivot = pivot;
      lower = val;
      pivot += i;
    } else {
      upperPivot = pivot;
      upper = val;
      pivot -= i;
    }
    val = code[pivot];
  }
  if (upperPivot === 255) upper = code[upperPivot];
  if (lowerPivot === 0) lower = code[lowerPivot];
  if (x > val) return x > f32(f32(upper + val) * 0.5) ? upperPivot : pivot;
  return x < f32(f32(lower + val) * 0.5) ? lowerPivot : pivot;
}

/**
 * Double quantization of NF4 absmax (nblocks): offset = f32Mean(absmax); v = absmax - offset; per 256 values
 * absmax2 = max|v| and qabsmax = dynamicCodeOf(v * f32(1/absmax2)).
 */
export function nf4DoubleQuantizeCpu(absmax: Float32Array): { qabsmax: Uint8Array; absmax2: Float32Array; offset: number } {
  const offset = f32Mean(absmax);
  const n = absmax.length;
  const nb2 = Math.ceil(n / NF4_DOUBLE_BLOCK);
  const qabsmax = new Uint8Array(n);
  const absmax2 = new Float32Array(nb2);
  for (let b = 0; b < nb2; b++) {
    const start = b * NF4_DOUBLE_BLOCK;
    const end = Math.min(n, start + NF4_DOUBLE_BLOCK);
    let a = 0;
    for (let i = start; i < end; i++) a = Math.max(a, Math.abs(f32(absmax[i] - offset)));
    absmax2[b] = a;
    const r = f32(1 / a);
    for (let i = start; i < end; i++) qabsmax[i] = dynamicCodeOf(f32(f32(absmax[i] - offset) * r));
  }
  return { qabsmax, absmax2, offset };
}

/** The NF4 absmax a double-quantized weight stands for: f32(f32(map[q] * absmax2) + offset). */
export function nf4DoubleDequantizeCpu(qabsmax: Uint8Array, absmax2: Float32Array, offset: number): Float32Array {
  const out = new Float32Array(qabsmax.length);
  for (let i = 0; i < out.length; i++) out[i] = f32(f32(DYNAMIC_MAP[qabsmax[i]] * absmax2[Math.floor(i / NF4_DOUBLE_BLOCK)]) + offset);
  return out;
}

/** bnb's byte array -> u32 words (byte j is byte j % 4, little-endian, of word j >> 2); the tail is zero-padded. */
export function bytesToWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let j = 0; j < bytes.length; j++) words[j >> 2] |= bytes[j] << (8 * (j & 3));
  return words;
}

export function wordsToBytes(words: Uint32Array, nbytes: number): Uint8Array {
  const bytes = new Uint8Array(nbytes);
  for (let j = 0; j < nbytes; j++) bytes[j] = (words[j >> 2] >>> (8 * (j & 3))) & 255;
  return bytes;
}
