// CPU references for the T5 relative position bias.

/**
 * Bucket of one relative position (key - query) in exact real arithmetic, with BigInt:
 * the log-spaced bucket is maxExact + the largest j < logBuckets with log(n/maxExact)/log(maxDistance/maxExact)*logBuckets >= j,
 * i.e. n^R * maxExact^j >= maxDistance^j * maxExact^R where R = logBuckets. HF's float32 maths agrees with this
 * for T5's (32, 128) at every distance we test; for some other configs it does not (see position-bias.ts).
 */
export function relativePositionBucketExact(relative: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let bucket = 0;
  let perDirection = numBuckets;
  let n: number;
  if (bidirectional) {
    perDirection = Math.floor(numBuckets / 2);
    if (relative > 0) bucket += perDirection;
    n = Math.abs(relative);
  } else {
    n = Math.max(-relative, 0);
  }
  const maxExact = Math.floor(perDirection / 2);
  if (n < maxExact) return bucket + n;
  const R = perDirection - maxExact;
  const lhsBase = BigInt(n) ** BigInt(R);
  const rhsBase = BigInt(maxExact) ** BigInt(R);
  let j = 0;
  while (j + 1 < R && lhsBase * BigInt(maxExact) ** BigInt(j + 1) >= BigInt(maxDistance) ** BigInt(j + 1) * rhsBase) j++;
  return bucket + maxExact + j;
}

// table (numBuckets,NH), buckets (Tq,Tk), out (NH,Tq,Tk) = table[buckets[q,k], h]
export function positionBiasForwardRef(buckets: ArrayLike<number>, table: ArrayLike<number>, Tq: number, Tk: number, NH: number): Float64Array {
  const out = new Float64Array(NH * Tq * Tk);
  for (let h = 0; h < NH; h++) for (let p = 0; p < Tq * Tk; p++) out[h * Tq * Tk + p] = table[buckets[p] * NH + h];
  return out;
}

// dbias (NH,Tq,Tk) -> dtable (numBuckets,NH), fresh: dtable[b,h] = sum of dbias[h,q,k] where buckets[q,k] == b
export function positionBiasBackwardRef(dbias: ArrayLike<number>, buckets: ArrayLike<number>, Tq: number, Tk: number, NH: number, numBuckets: number): Float64Array {
  const dtable = new Float64Array(numBuckets * NH);
  for (let h = 0; h < NH; h++) for (let p = 0; p < Tq * Tk; p++) dtable[buckets[p] * NH + h] += dbias[h * Tq * Tk + p];
  return dtable;
}
