// The float64 attention reference checked against itself: backward by central differences of the forward,
// forward against facts that hold without any arithmetic (uniform fully masked rows, exact zeros).
import { describe, expect, it } from 'vitest';
import { dot, numericGradient, randomDoubles } from '../../testing/finite-diff';
import { closeness } from '../../testing/gpu';
import type { AttentionDims } from './attention';
import { attentionBackwardRef, attentionForwardRef } from './attention.ref';

interface Case {
  name: string;
  dims: AttentionDims;
  bias: boolean;
  keyMask: number[] | null;
  /** Dropout on the probabilities with p = 0.25: a fixed keep/(1-p) tensor. */
  dropout?: boolean;
}

// No fully masked rows here: for those the computed function is constant in q and k (the mask swamps the
// scores), while the backward gives what autograd gives HF (mask as a constant), so differences cannot agree.
const cases: Case[] = [
  { name: 'bias + padding mask', dims: { B: 2, Tq: 3, Tk: 4, NH: 2, D: 3, causal: false }, bias: true, keyMask: [1, 1, 1, 0, 1, 0, 1, 1] },
  { name: 'cross attention, Tq != Tk, no bias', dims: { B: 1, Tq: 2, Tk: 5, NH: 2, D: 2, causal: false }, bias: false, keyMask: null },
  { name: 'causal with bias', dims: { B: 1, Tq: 4, Tk: 4, NH: 1, D: 3, causal: true }, bias: true, keyMask: null },
  { name: 'causal, queryOffset, kvCapacity > Tk', dims: { B: 2, Tq: 2, Tk: 4, NH: 1, D: 2, causal: true, queryOffset: 2, kvCapacity: 6 }, bias: true, keyMask: null },
  { name: 'dropout on the probabilities', dims: { B: 2, Tq: 3, Tk: 4, NH: 2, D: 2, causal: false }, bias: true, keyMask: [1, 1, 1, 0, 1, 1, 1, 1], dropout: true },
];

function dropoutScale(n: number, seed: number, p = 0.25): Float64Array {
  return randomDoubles(n, seed, 0, 1).map((r) => (r < p ? 0 : 1 / (1 - p)));
}

describe('attention float64 reference', () => {
  for (const c of cases) {
    it(`backward matches central differences: ${c.name}`, () => {
      const { B, Tq, Tk, NH, D } = c.dims;
      const cap = c.dims.kvCapacity ?? Tk;
      const C = NH * D;
      const q = randomDoubles(B * Tq * C, 11);
      const k = randomDoubles(B * cap * C, 12);
      const v = randomDoubles(B * cap * C, 13);
      const bias = c.bias ? randomDoubles(NH * Tq * Tk, 14) : null;
      const dout = randomDoubles(B * Tq * C, 15);
      const drop = c.dropout ? dropoutScale(B * NH * Tq * Tk, 16) : null;
      if (drop) expect(drop.some((s) => s === 0) && drop.some((s) => s > 1)).toBe(true);
      const fwd = (q_: ArrayLike<number>, k_: ArrayLike<number>, v_: ArrayLike<number>, b_: ArrayLike<number> | null) =>
        dot(attentionForwardRef(q_, k_, v_, b_, c.keyMask, c.dims, drop).out, dout);
      const { probs } = attentionForwardRef(q, k, v, bias, c.keyMask, c.dims, drop);
      const g = attentionBackwardRef(dout, q, k, v, probs, c.dims, drop);
      const tol = { rtol: 1e-6, atol: 1e-8 };
      expect(closeness(g.dq, numericGradient((x) => fwd(x, k, v, bias), q), tol)).toBeNull();
      expect(closeness(g.dk, numericGradient((x) => fwd(q, x, v, bias), k), tol)).toBeNull();
      expect(closeness(g.dv, numericGradient((x) => fwd(q, k, x, bias), v), tol)).toBeNull();
      if (bias) expect(closeness(g.dbias, numericGradient((x) => fwd(q, k, v, x), bias), tol)).toBeNull();
      // Cache rows past Tk are not part of the function: zero gradient.
      for (let b = 0; b < B; b++) for (let j = Tk; j < cap; j++) for (let x = 0; x < C; x++) expect(g.dk[(b * cap + j) * C + x]).toBe(0);
    });
  }

  it('gives a fully masked row a uniform distribution and finite gradients', () => {
    const dims: AttentionDims = { B: 2, Tq: 2, Tk: 3, NH: 1, D: 2, causal: false };
    const q = randomDoubles(8, 1);
    const k = randomDoubles(12, 2);
    const v = randomDoubles(12, 3);
    const { out, probs } = attentionForwardRef(q, k, v, randomDoubles(6, 4), [1, 0, 1, 0, 0, 0], dims);
    expect(probs[1]).toBe(0); // a masked entry of a live row is exactly 0
    for (let j = 0; j < 3; j++) expect(probs[6 + j]).toBe(1 / 3);
    expect(out[4]).toBeCloseTo((v[6] + v[8] + v[10]) / 3, 14);
    const g = attentionBackwardRef(randomDoubles(8, 5), q, k, v, probs, dims);
    for (const arr of [g.dq, g.dk, g.dv, g.dbias]) expect(arr.every(Number.isFinite)).toBe(true);
  });
});
