import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu';
import type { Tensor } from '../tensor';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { attentionBackward, attentionForward, type AttentionDims, type AttentionRowVariant } from './attention';
import { attentionBackwardRef, attentionForwardRef } from './attention.ref';

const TOL = { rtol: 1e-4, atol: 1e-5 };

interface Inputs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  bias: Float32Array | null;
  keyMask: Uint32Array | null;
  dout: Float32Array;
  drop: Float32Array | null;
}

function inputs(dims: AttentionDims, opts: { bias: boolean; keyMask?: number[]; seed?: number; scale?: number; dropout?: boolean }): Inputs {
  const { B, Tq, Tk, NH, D } = dims;
  const cap = dims.kvCapacity ?? Tk;
  const s = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  return {
    q: randomFloats(B * Tq * NH * D, s, -scale, scale),
    k: randomFloats(B * cap * NH * D, s + 1, -scale, scale),
    v: randomFloats(B * cap * NH * D, s + 2),
    bias: opts.bias ? randomFloats(NH * Tq * Tk, s + 3) : null,
    keyMask: opts.keyMask ? Uint32Array.from(opts.keyMask) : null,
    dout: randomFloats(B * Tq * NH * D, s + 4),
    // Dropout p = 0.25 on the probabilities: keep/(1-p) per entry.
    drop: opts.dropout ? randomFloats(B * NH * Tq * Tk, s + 5, 0, 1).map((r) => (r < 0.25 ? 0 : 4 / 3)) : null,
  };
}

interface Run {
  out: Float32Array;
  probs: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
  dbias: Float32Array | null;
  dscores: Float32Array;
}

/** Forward then backward on the GPU. dbias starts at 1 and dk/dv at 7, to show accumulation and overwriting. */
async function runGpu(gpu: Gpu, x: Inputs, dims: AttentionDims, rowVariant?: AttentionRowVariant): Promise<Run> {
  const { B, Tq, Tk, NH, D } = dims;
  const cap = dims.kvCapacity ?? Tk;
  const up = (a: Float32Array | Uint32Array, dtype: 'f32' | 'u32', label: string) => gpu.upload(a, [a.length], dtype, 'scratch', label);
  const q = up(x.q, 'f32', 'q');
  const k = up(x.k, 'f32', 'k');
  const v = up(x.v, 'f32', 'v');
  const dout = up(x.dout, 'f32', 'dout');
  const bias = x.bias ? up(x.bias, 'f32', 'bias') : null;
  const keyMask = x.keyMask ? up(x.keyMask, 'u32', 'keyMask') : null;
  const drop = x.drop ? up(x.drop, 'f32', 'drop') : null;
  const out = gpu.tensor([B, Tq, NH * D], 'f32', 'scratch', 'out');
  const probs = gpu.tensor([B, NH, Tq, Tk], 'f32', 'scratch', 'probs');
  const dscores = gpu.tensor([B, NH, Tq, Tk], 'f32', 'scratch', 'dscores');
  const dq = gpu.tensor([B, Tq, NH * D], 'f32', 'scratch', 'dq');
  const dk = up(new Float32Array(B * cap * NH * D).fill(7), 'f32', 'dk');
  const dv = up(new Float32Array(B * cap * NH * D).fill(7), 'f32', 'dv');
  const dbias = bias ? up(new Float32Array(NH * Tq * Tk).fill(1), 'f32', 'dbias') : null;
  attentionForward(gpu, out, probs, q, k, v, bias, keyMask, dims, { probsDropoutScale: drop, rowVariant });
  attentionBackward(gpu, dq, dk, dv, dbias, dscores, dout, q, k, v, probs, dims, { probsDropoutScale: drop, rowVariant });
  const read = (t: Tensor) => gpu.readF32(t);
  const run: Run = {
    out: await read(out),
    probs: await read(probs),
    dq: await read(dq),
    dk: await read(dk),
    dv: await read(dv),
    dbias: dbias ? await read(dbias) : null,
    dscores: await read(dscores),
  };
  gpu.free(q, k, v, dout, bias, keyMask, drop, out, probs, dscores, dq, dk, dv, dbias);
  return run;
}

function expectMatchesRef(got: Run, x: Inputs, dims: AttentionDims): void {
  const f = attentionForwardRef(x.q, x.k, x.v, x.bias, x.keyMask, dims, x.drop);
  // Backward from the GPU's own probs isolates the backward kernels from forward rounding.
  const g = attentionBackwardRef(x.dout, x.q, x.k, x.v, got.probs, dims, x.drop);
  expect(closeness(got.probs, f.probs, TOL), 'probs').toBeNull();
  expect(closeness(got.out, f.out, TOL), 'out').toBeNull();
  expect(closeness(got.dscores, g.dscores, TOL), 'dscores').toBeNull();
  expect(closeness(got.dq, g.dq, TOL), 'dq').toBeNull();
  expect(closeness(got.dk, g.dk, TOL), 'dk').toBeNull();
  expect(closeness(got.dv, g.dv, TOL), 'dv').toBeNull();
  if (got.dbias) expect(closeness(got.dbias, g.dbias.map((d) => d + 1), TOL), 'dbias').toBeNull();
}

const cases: { name: string; dims: AttentionDims; bias: boolean; keyMask?: number[]; dropout?: boolean }[] = [
  { name: 'T = 1', dims: { B: 1, Tq: 1, Tk: 1, NH: 1, D: 4, causal: false }, bias: true },
  { name: 'encoder self-attention with padding', dims: { B: 2, Tq: 5, Tk: 5, NH: 3, D: 7, causal: false }, bias: true, keyMask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0] },
  { name: 'cross attention, Tq != Tk, no bias', dims: { B: 2, Tq: 3, Tk: 9, NH: 2, D: 5, causal: false }, bias: false, keyMask: [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
  { name: 'causal decoder self-attention', dims: { B: 2, Tq: 6, Tk: 6, NH: 2, D: 3, causal: true }, bias: true },
  { name: 'sizes past one workgroup (Tk 130, D 67)', dims: { B: 1, Tq: 3, Tk: 130, NH: 2, D: 67, causal: false }, bias: true },
  { name: 'fully masked rows', dims: { B: 2, Tq: 2, Tk: 3, NH: 2, D: 4, causal: false }, bias: true, keyMask: [1, 0, 1, 0, 0, 0] },
  { name: 'dropout on the probabilities, causal', dims: { B: 2, Tq: 5, Tk: 5, NH: 2, D: 3, causal: true }, bias: true, keyMask: [1, 1, 1, 1, 0, 1, 1, 1, 1, 1], dropout: true },
];

describe('attention score-row forms on Dawn', () => {
  // The serial form (one invocation per row) replays the workgroup form's trees: every output the same bits.
  for (const c of cases) {
    it(`serial equals workgroup bit for bit: ${c.name}`, async () => {
      const gpu = await testGpu();
      const x = inputs(c.dims, { bias: c.bias, keyMask: c.keyMask, dropout: c.dropout, seed: 5 });
      const [a, b] = [await runGpu(gpu, x, c.dims, 'workgroup'), await runGpu(gpu, x, c.dims, 'serial')];
      for (const key of ['probs', 'out', 'dscores', 'dq', 'dk', 'dv', 'dbias'] as const) {
        expect(b[key] && Array.from(b[key]), key).toEqual(a[key] && Array.from(a[key]));
      }
    });
  }
});

describe('attention kernels on Dawn', () => {
  // The default form, and each form forced (the serial one is also checked bit for bit above).
  for (const rowVariant of [undefined, 'workgroup', 'subgroup', 'serial'] as const) {
    for (const c of cases) {
      it(`forward and backward match the float64 reference (${rowVariant ?? 'default'} rows): ${c.name}`, async (ctx) => {
        const gpu = await testGpu();
        if (rowVariant === 'subgroup' && !gpu.info.subgroups) ctx.skip('this adapter has no subgroups feature');
        const x = inputs(c.dims, { bias: c.bias, keyMask: c.keyMask, dropout: c.dropout });
        expectMatchesRef(await runGpu(gpu, x, c.dims, rowVariant), x, c.dims);
      });
    }
  }

  it('reads only Tk rows of a KV cache and respects queryOffset', async () => {
    const gpu = await testGpu();
    // Cached decoding: step t = 4 of a cache of capacity 8; rows 5..7 hold NaN and must not leak in.
    const dims: AttentionDims = { B: 2, Tq: 1, Tk: 5, NH: 2, D: 3, causal: true, queryOffset: 4, kvCapacity: 8 };
    const x = inputs(dims, { bias: true });
    const C = 6;
    for (let b = 0; b < 2; b++) for (let j = 5; j < 8; j++) for (let c = 0; c < C; c++) x.k[(b * 8 + j) * C + c] = x.v[(b * 8 + j) * C + c] = NaN;
    const got = await runGpu(gpu, x, dims);
    expect(got.out.every(Number.isFinite)).toBe(true);
    expectMatchesRef(got, x, dims);
    // A window of two queries at offset 2 sees keys 0..2 and 0..3: the causal limit follows the absolute position.
    const dims2: AttentionDims = { B: 1, Tq: 2, Tk: 4, NH: 1, D: 2, causal: true, queryOffset: 2, kvCapacity: 6 };
    const x2 = inputs(dims2, { bias: true, seed: 5 });
    const got2 = await runGpu(gpu, x2, dims2);
    expect(got2.probs[3]).toBe(0);
    expect(got2.probs[2]).toBeGreaterThan(0);
    expectMatchesRef(got2, x2, dims2);
  });

  it('folds more than 65535 score rows into a second grid dimension', async () => {
    const gpu = await testGpu();
    const dims: AttentionDims = { B: 1, Tq: 65_600, Tk: 2, NH: 1, D: 1, causal: true };
    const x = inputs(dims, { bias: true, seed: 9 });
    const got = await runGpu(gpu, x, dims);
    expect(got.probs[1]).toBe(0);
    expectMatchesRef(got, x, dims);
  });

  it('makes fully masked rows uniform with finite gradients, and masked entries exactly 0', async () => {
    const gpu = await testGpu();
    const dims: AttentionDims = { B: 2, Tq: 2, Tk: 3, NH: 1, D: 4, causal: false };
    const got = await runGpu(gpu, inputs(dims, { bias: true, keyMask: [1, 0, 1, 0, 0, 0] }), dims);
    expect(got.probs[1]).toBe(0);
    expect(got.probs[4]).toBe(0);
    // Batch item 1 is all padding: every score is exactly F32_LOWEST, so every row is the same uniform row.
    for (let j = 6; j < 12; j++) expect(got.probs[j]).toBe(got.probs[6]);
    expect(got.probs[6]).toBeCloseTo(1 / 3, 6);
    for (const a of [got.out, got.dq, got.dk, got.dv, got.dbias!]) expect(a.every(Number.isFinite)).toBe(true);
    // Masked entries of live rows carry no gradient.
    expect(Math.abs(got.dscores[1])).toBe(0);
    expect(Math.abs(got.dscores[4])).toBe(0);
  });

  it('keeps softmax finite for scores of +-1e4', async () => {
    const gpu = await testGpu();
    const dims: AttentionDims = { B: 1, Tq: 3, Tk: 4, NH: 1, D: 1, causal: false };
    const x = inputs(dims, { bias: false });
    x.q.set([100, -100, 1]);
    x.k.set([100, -100, 99.9, 0]);
    const got = await runGpu(gpu, x, dims);
    for (const a of [got.probs, got.out, got.dq, got.dk, got.dv]) expect(a.every(Number.isFinite)).toBe(true);
    expectMatchesRef(got, x, dims);
  });

  it('propagates NaN in q to that query row and head only', async () => {
    const gpu = await testGpu();
    const dims: AttentionDims = { B: 1, Tq: 3, Tk: 4, NH: 2, D: 2, causal: false };
    const x = inputs(dims, { bias: true });
    x.q[(1 * 2 + 1) * 2] = NaN; // row i = 1, head h = 1
    const got = await runGpu(gpu, x, dims);
    const f = attentionForwardRef(x.q, x.k, x.v, x.bias, null, dims);
    for (let j = 0; j < 4; j++) expect(got.probs[(1 * 3 + 1) * 4 + j]).toBeNaN();
    expect(got.out[1 * 4 + 2]).toBeNaN();
    expect(got.out[1 * 4 + 3]).toBeNaN();
    expect(closeness(got.probs, f.probs, TOL)).toBeNull();
    expect(closeness(got.out, f.out, TOL)).toBeNull();
  });

  it('rejects wrong sizes, dtypes, dims and aliased outputs with clear messages', async () => {
    const gpu = await testGpu();
    const dims: AttentionDims = { B: 1, Tq: 2, Tk: 3, NH: 2, D: 2, causal: false };
    const t = (n: number, label: string, dtype: 'f32' | 'u32' = 'f32') => gpu.tensor([n], dtype, 'scratch', label);
    const q = t(8, 'q');
    const k = t(12, 'k');
    const v = t(12, 'v');
    const out = t(8, 'out');
    const probs = t(12, 'probs');
    const short = t(5, 'short');
    const maskF32 = t(3, 'maskF32');
    expect(() => attentionForward(gpu, out, probs, q, short, v, null, null, dims)).toThrow(/attentionForward: k "short" \(5\) has 5 elements, needs 12 for \(B,kvCapacity,NH\*D\) = \(1,3,4\)/);
    expect(() => attentionForward(gpu, out, probs, q, k, v, null, maskF32, dims)).toThrow(/keyMask "maskF32" \(3\) is f32, expected u32/);
    expect(() => attentionForward(gpu, out, probs, q, k, v, null, null, { ...dims, kvCapacity: 2 })).toThrow(/kvCapacity must be an integer >= 3/);
    expect(() => attentionForward(gpu, out, probs, q, k, v, null, null, { ...dims, D: 300 })).toThrow(/D = 300 exceeds/);
    expect(() => attentionForward(gpu, q, probs, q, k, v, null, null, dims)).toThrow(/output out shares a buffer with q "q" \(8\)/);
    gpu.free(q, k, v, out, probs, short, maskF32);
  });
});
