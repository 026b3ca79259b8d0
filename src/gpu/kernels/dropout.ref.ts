// Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3", SC11) in exact u32
// arithmetic, and the CPU float64 reference of dropout built on it. The WGSL in shaders/philox.wgsl
// computes the same words, so a mask can be regenerated anywhere from (seed, stream, index).

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9; // golden ratio
const W1 = 0xbb67ae85; // sqrt(3) - 1

/** High and low 32 bits of the 64-bit product a*b, from 16-bit halves (no 64-bit integers needed). */
export function mulhilo32(a: number, b: number): [number, number] {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

/** Philox4x32 with `rounds` rounds (10 is the standard): counter (4 u32), key (2 u32) -> 4 u32. */
export function philox4x32(counter: readonly number[], key: readonly number[], rounds = 10): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo32(M0, c0);
    const [hi1, lo1] = mulhilo32(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

export interface DropoutParams {
  p: number;
  seed: number;
  stream: number;
}

/** The u32 pair a seed becomes: low word, high word (seeds up to 2^53). */
export function philoxKey(seed: number): [number, number] {
  return [seed % 0x100000000, Math.floor(seed / 0x100000000)];
}

/** A 32-bit draw is dropped when it falls below this: P(drop) = threshold / 2^32 ~ p. */
export function dropThreshold(p: number): number {
  return Math.min(0xffffffff, Math.round(p * 0x100000000));
}

/** keep[i] = 1 when element i survives: first Philox word of counter (i, stream, 0, 0) >= threshold. */
export function dropoutMaskRef(n: number, o: DropoutParams): Uint8Array {
  const key = philoxKey(o.seed);
  const threshold = dropThreshold(o.p);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = philox4x32([i, o.stream, 0, 0], key)[0] >= threshold ? 1 : 0;
  return mask;
}

/** out = keep ? x / (1 - p) : 0 (a dropped NaN becomes 0, as on the GPU). The backward pass is the same map on dout. */
export function dropoutRef(x: ArrayLike<number>, o: DropoutParams): Float64Array {
  if (o.p === 0) return Float64Array.from(x);
  const mask = dropoutMaskRef(x.length, o);
  const scale = 1 / (1 - o.p);
  return Float64Array.from(x, (v, i) => (mask[i] ? v * scale : 0));
}
