// Bit-exact conversions between float32 and the 16-bit float formats checkpoints are stored in.
// f16: IEEE binary16. bf16: the top 16 bits of a float32. Encoders round to nearest, ties to even, as PyTorch does.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bits -> float32 value (exact: every f16 is representable in f32, subnormals included). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float32 value -> binary16 bits, round to nearest even; overflow -> ±Inf, NaN stays NaN. */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal in f16 (or zero): shift the implicit-1 mantissa right, rounding to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m += 1;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  let m = mant >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m += 1;
    if (m === 0x400) {
      m = 0;
      e += 1;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** bfloat16 bits -> float32 value (exact). */
export function bf16BitsToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** float32 value -> bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff)) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Little-endian 16-bit words -> float32 array through a 65536-entry table (built once per format). */
const tables: { f16?: Float32Array; bf16?: Float32Array } = {};
function table(kind: 'f16' | 'bf16'): Float32Array {
  let t = tables[kind];
  if (!t) {
    t = new Float32Array(65536);
    const decode = kind === 'f16' ? f16BitsToF32 : bf16BitsToF32;
    for (let i = 0; i < 65536; i++) t[i] = decode(i);
    tables[kind] = t;
  }
  return t;
}

export function decode16(bytes: Uint8Array, kind: 'f16' | 'bf16'): Float32Array {
  const t = table(kind);
  const n = bytes.byteLength >>> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = t[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
  return out;
}

export function encode16(values: Float32Array, kind: 'f16' | 'bf16'): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const encode = kind === 'f16' ? f32ToF16Bits : f32ToBf16Bits;
  for (let i = 0; i < values.length; i++) {
    const h = encode(values[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
