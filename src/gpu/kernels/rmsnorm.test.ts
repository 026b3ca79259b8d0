import { describe, expect, it } from 'vitest';
import { dot, numericGradient, randomDoubles } from '../../testing/finite-diff';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { rmsnormBackward, rmsnormForward } from './rmsnorm';
import { rmsnormBackwardRef, rmsnormForwardRef } from './rmsnorm.ref';
import { Autotuner, autotunerFor, setAutotuner } from '../autotune';
import { REDUCE_VARIANTS, reduceShapeClass, type ReduceVariant } from './reduce-variants';

const EPS = 1e-6;
const TOL = { rtol: 1e-5, atol: 1e-6 };

describe('rmsnorm CPU reference', () => {
  it('matches central differences of its forward (inp and weight)', () => {
    const N = 3;
    const C = 5;
    const inp = randomDoubles(N * C, 11);
    const weight = randomDoubles(C, 12, 0.5, 1.5);
    const dout = randomDoubles(N * C, 13);
    const { rstd } = rmsnormForwardRef(inp, weight, N, C, EPS);
    const { dinp, dweight } = rmsnormBackwardRef(dout, inp, weight, rstd, N, C);
    const numInp = numericGradient((x) => dot(rmsnormForwardRef(x, weight, N, C, EPS).out, dout), inp);
    const numW = numericGradient((w) => dot(rmsnormForwardRef(inp, w, N, C, EPS).out, dout), weight);
    expect(closeness(dinp, numInp, { rtol: 1e-7, atol: 1e-8 })).toBeNull();
    expect(closeness(dweight, numW, { rtol: 1e-7, atol: 1e-8 })).toBeNull();
  });

  it('gives 0 for a row whose f32 sum of squares overflows, as HF does', () => {
    const { out, rstd } = rmsnormForwardRef([1e30, 1, -2, 0.5, 3, 4], [1, 1, 1], 2, 3, EPS);
    expect(rstd[0]).toBe(0);
    expect(Array.from(out.slice(0, 3)).every((v) => v === 0)).toBe(true);
    expect(rstd[1]).toBeCloseTo(1 / Math.sqrt((0.25 + 9 + 16) / 3 + EPS), 12);
  });
});

// Every form (reduce-variants.ts) against the same reference and tolerances; undefined = the one chosen by default.
for (const variant of [undefined, ...REDUCE_VARIANTS] as (ReduceVariant | undefined)[]) describe(`rmsnorm kernels on Dawn (${variant ?? 'default'} form)`, () => {
  const opts = { variant };
  async function gpuFor(ctx: { skip: (note?: string) => never }) {
    const gpu = await testGpu();
    if (variant === 'subgroup' && !gpu.info.subgroups) ctx.skip('this adapter has no subgroups feature');
    return gpu;
  }

  async function forward(ctx: { skip: (note?: string) => never }, inp: Float32Array, weight: Float32Array, N: number, C: number) {
    const gpu = await gpuFor(ctx);
    const tInp = gpu.upload(inp, [N, C], 'f32', 'scratch', 'inp');
    const tW = gpu.upload(weight, [C], 'f32', 'scratch', 'weight');
    const out = gpu.tensor([N, C], 'f32', 'scratch', 'out');
    const rstd = gpu.tensor([N], 'f32', 'scratch', 'rstd');
    rmsnormForward(gpu, out, rstd, tInp, tW, N, C, EPS, opts);
    const got = { out: await gpu.readF32(out), rstd: await gpu.readF32(rstd) };
    gpu.free(tInp, tW, out, rstd);
    return got;
  }

  // Rows that are not multiples of the workgroup, N = 1, C = 1, and a 2048-wide row (tree reduction).
  for (const [N, C] of [[1, 1], [4, 1], [1, 7], [3, 257], [5, 768], [2, 2048], [70, 32]]) {
    it(`forward matches the reference at N=${N}, C=${C}`, async (ctx) => {
      const inp = randomFloats(N * C, N * 31 + C, -3, 3);
      const weight = randomFloats(C, C + 5, 0.5, 1.5);
      const got = await forward(ctx, inp, weight, N, C);
      const want = rmsnormForwardRef(inp, weight, N, C, EPS);
      expect(closeness(got.out, want.out, TOL)).toBeNull();
      expect(closeness(got.rstd, want.rstd, TOL)).toBeNull();
    });
  }

  it('keeps eps inside the root (rows whose mean square is near eps)', async (ctx) => {
    const N = 3;
    const C = 40;
    const inp = randomFloats(N * C, 77, -2e-3, 2e-3);
    const weight = randomFloats(C, 78, 0.5, 1.5);
    const got = await forward(ctx, inp, weight, N, C);
    const want = rmsnormForwardRef(inp, weight, N, C, EPS);
    expect(closeness(got.out, want.out, TOL)).toBeNull();
    expect(closeness(got.rstd, want.rstd, TOL)).toBeNull();
  });

  it('propagates NaN within its row only, and zeroes an overflowing row like HF', async (ctx) => {
    const C = 3;
    const inp = new Float32Array([1, NaN, 2, 1e30, 1, -2, 0.5, -1, 2]);
    const weight = new Float32Array([1, 2, 3]);
    const got = await forward(ctx, inp, weight, 3, C);
    const want = rmsnormForwardRef(inp, weight, 3, C, EPS);
    expect(Array.from(got.out.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(got.rstd[0])).toBe(true);
    expect(got.rstd[1]).toBe(0);
    expect(Array.from(got.out.slice(3, 6))).toEqual([0, 0, -0]);
    expect(closeness(got.out, want.out, TOL)).toBeNull();
  });

  for (const [N, C] of [[1, 1], [3, 257], [37, 65], [2, 2048], [70, 32]]) {
    it(`backward matches the reference and accumulates (+=) at N=${N}, C=${C}`, async (ctx) => {
      const gpu = await gpuFor(ctx);
      const inp = randomFloats(N * C, 3 + C, -2, 2);
      const weight = randomFloats(C, 4 + C, 0.5, 1.5);
      const dout = randomFloats(N * C, 5 + C);
      const dinp0 = randomFloats(N * C, 6 + C);
      const dweight0 = randomFloats(C, 7 + C);
      const { rstd } = rmsnormForwardRef(inp, weight, N, C, EPS);
      const want = rmsnormBackwardRef(dout, inp, weight, rstd, N, C);

      const tInp = gpu.upload(inp, [N, C], 'f32', 'scratch', 'inp');
      const tW = gpu.upload(weight, [C], 'f32', 'scratch', 'weight');
      const tDout = gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout');
      const tRstd = gpu.upload(new Float32Array(rstd), [N], 'f32', 'scratch', 'rstd');
      const dinp = gpu.upload(dinp0, [N, C], 'f32', 'scratch', 'dinp');
      const dweight = gpu.upload(dweight0, [C], 'f32', 'scratch', 'dweight');
      rmsnormBackward(gpu, dinp, dweight, tDout, tInp, tW, tRstd, N, C, opts);
      const gotDinp = await gpu.readF32(dinp);
      const gotDw = await gpu.readF32(dweight);
      gpu.free(tInp, tW, tDout, tRstd, dinp, dweight);

      const wantDinp = want.dinp.map((v, i) => v + dinp0[i]);
      const wantDw = want.dweight.map((v, i) => v + dweight0[i]);
      // dweight sums N rows: its error grows with N relative to the row terms, hence the atol.
      expect(closeness(gotDinp, wantDinp, { rtol: 1e-5, atol: 1e-5 })).toBeNull();
      expect(closeness(gotDw, wantDw, { rtol: 1e-5, atol: 1e-5 })).toBeNull();
    });
  }

  it('backward with a frozen weight (dweight null) still accumulates dinp', async (ctx) => {
    const gpu = await gpuFor(ctx);
    const N = 2;
    const C = 9;
    const inp = randomFloats(N * C, 21);
    const weight = randomFloats(C, 22, 0.5, 1.5);
    const dout = randomFloats(N * C, 23);
    const { rstd } = rmsnormForwardRef(inp, weight, N, C, EPS);
    const want = rmsnormBackwardRef(dout, inp, weight, rstd, N, C);
    const tInp = gpu.upload(inp, [N, C], 'f32', 'scratch', 'inp');
    const tW = gpu.upload(weight, [C], 'f32', 'scratch', 'weight');
    const tDout = gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout');
    const tRstd = gpu.upload(new Float32Array(rstd), [N], 'f32', 'scratch', 'rstd');
    const dinp = gpu.upload(new Float32Array(N * C).fill(1), [N, C], 'f32', 'scratch', 'dinp');
    rmsnormBackward(gpu, dinp, null, tDout, tInp, tW, tRstd, N, C, opts);
    const got = await gpu.readF32(dinp);
    gpu.free(tInp, tW, tDout, tRstd, dinp);
    expect(closeness(got, want.dinp.map((v) => v + 1), { rtol: 1e-5, atol: 1e-6 })).toBeNull();
  });

  it('rejects mismatched shapes with a message naming the tensor', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([2, 3], 'f32', 'scratch', 'a');
    const w = gpu.tensor([4], 'f32', 'scratch', 'w');
    const r = gpu.tensor([2], 'f32', 'scratch', 'r');
    expect(() => rmsnormForward(gpu, a, r, a, w, 2, 3, EPS)).toThrow(/weight has 4 elements, expected \(C\) = \(3\)/);
    gpu.free(a, w, r);
  });
});

describe('rmsnorm serial form on Dawn', () => {
  it('equals the workgroup form bit for bit (forward, input and weight gradients)', async () => {
    const gpu = await testGpu();
    for (const [N, C] of [[1, 1], [16, 32], [3, 257], [37, 65], [5, 768], [2, 2048], [70, 32]]) {
      const inp = randomFloats(N * C, N + C, -3, 3);
      inp[C >> 1] = 300; // a large term makes the order of the sums visible in the low bits
      const weight = randomFloats(C, C, 0.5, 1.5);
      const dout = randomFloats(N * C, N * C);
      const tInp = gpu.upload(inp, [N, C], 'f32', 'scratch', 'inp');
      const tW = gpu.upload(weight, [C], 'f32', 'scratch', 'weight');
      const tDout = gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout');
      const got: Float32Array[][] = [];
      for (const variant of ['workgroup', 'serial'] as const) {
        const out = gpu.tensor([N, C], 'f32', 'scratch', 'out');
        const rstd = gpu.tensor([N], 'f32', 'scratch', 'rstd');
        const dinp = gpu.upload(new Float32Array(N * C).fill(0.5), [N, C], 'f32', 'scratch', 'dinp');
        const dweight = gpu.upload(new Float32Array(C).fill(0.5), [C], 'f32', 'scratch', 'dweight');
        rmsnormForward(gpu, out, rstd, tInp, tW, N, C, EPS, { variant });
        rmsnormBackward(gpu, dinp, dweight, tDout, tInp, tW, rstd, N, C, { variant });
        got.push([await gpu.readF32(out), await gpu.readF32(rstd), await gpu.readF32(dinp), await gpu.readF32(dweight)]);
        gpu.free(out, rstd, dinp, dweight);
      }
      gpu.free(tInp, tW, tDout);
      ['out', 'rstd', 'dinp', 'dweight'].forEach((name, k) => {
        expect(Array.from(got[1][k]), `${name} at N=${N}, C=${C}`).toEqual(Array.from(got[0][k]));
      });
    }
  });

  it('gives the same bits when tuning mixes the forms (workgroup rows, serial weight columns, and the reverse)', async () => {
    const gpu = await testGpu();
    const [N, C] = [37, 65];
    const inp = randomFloats(N * C, 1, -3, 3);
    const weight = randomFloats(C, 2, 0.5, 1.5);
    const dout = randomFloats(N * C, 3);
    const { rstd } = rmsnormForwardRef(inp, weight, N, C, EPS);
    const run = async (rows: ReduceVariant, columns: ReduceVariant) => {
      const before = autotunerFor(gpu);
      const tuner = new Autotuner('mix-test');
      tuner.set('rmsnorm_backward', reduceShapeClass(N, C), rows);
      tuner.set('rmsnorm_backward_weight', reduceShapeClass(C, N), columns);
      setAutotuner(gpu, tuner);
      const t = [gpu.upload(inp, [N, C], 'f32', 'scratch', 'inp'), gpu.upload(weight, [C], 'f32', 'scratch', 'weight'),
        gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout'), gpu.upload(new Float32Array(rstd), [N], 'f32', 'scratch', 'rstd')];
      const dinp = gpu.tensor([N, C], 'f32', 'scratch', 'dinp');
      const dweight = gpu.tensor([C], 'f32', 'scratch', 'dweight');
      gpu.zero(dinp);
      gpu.zero(dweight);
      try {
        rmsnormBackward(gpu, dinp, dweight, t[2], t[0], t[1], t[3], N, C);
        return [Array.from(await gpu.readF32(dinp)), Array.from(await gpu.readF32(dweight))];
      } finally {
        setAutotuner(gpu, before);
        gpu.free(...t, dinp, dweight);
      }
    };
    const reference = await run('workgroup', 'workgroup');
    expect(await run('workgroup', 'serial')).toEqual(reference);
    expect(await run('serial', 'workgroup')).toEqual(reference);
    expect(await run('serial', 'serial')).toEqual(reference);
  });
});
