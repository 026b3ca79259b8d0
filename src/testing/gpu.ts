// Test-only helpers: one real WebGPU device (Dawn) per test file, and closeness checks that print
// where and by how much a result is off.
import { createNodeGpu } from '../hosts/node/gpu';
import type { Gpu } from '../gpu/gpu';

let shared: Promise<Gpu> | null = null;

/** The file's GPU, in strict mode so any validation error fails the test that caused it. */
export function testGpu(): Promise<Gpu> {
  shared ??= createNodeGpu({ strict: true });
  return shared;
}

export interface Tolerance {
  rtol: number;
  atol?: number;
}

/** Max |a-e| / (atol + rtol*|e|) style check; NaN must match NaN. Returns a message or null. */
export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != expected ${expected.length}`;
  const atol = tol.atol ?? tol.rtol;
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `index ${i}: got ${a}, expected ${e}`;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return `index ${i}: got ${a}, expected ${e}`;
      continue;
    }
    const ratio = Math.abs(a - e) / (atol + tol.rtol * Math.abs(e));
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worstRatio <= 1) return null;
  const head = Array.from({ length: Math.min(4, expected.length) }, (_, i) => `${actual[i]} vs ${expected[i]}`).join(', ');
  return `index ${worst}: got ${actual[worst]}, expected ${expected[worst]} (${worstRatio.toFixed(2)}x the tolerance rtol ${tol.rtol}, atol ${atol}); first values: ${head}`;
}

/** Seeded uniform floats in [lo, hi), so failures reproduce. */
export function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}
