import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { axpy, fill, reduce, reduceWorkgroups, scale, scaleInto, sum } from './elementwise';
import { axpyRef, fillRef, scaleRef, sumOfSquaresRef, sumRef } from './elementwise.ref';
import { REDUCE_VARIANTS, type ReduceVariant } from './reduce-variants';

const TOL = { rtol: 1e-6, atol: 1e-7 };

describe('elementwise utilities on Dawn', () => {
  for (const n of [1, 255, 1000, 70_001]) {
    it(`fill, scale, scaleInto and axpy match the reference for ${n} elements`, async () => {
      const gpu = await testGpu();
      const x = randomFloats(n, 3);
      const y = randomFloats(n, 4);
      const tx = gpu.upload(x, [n], 'f32', 'scratch', 'x');
      const ty = gpu.upload(y, [n], 'f32', 'scratch', 'y');
      const out = gpu.tensor([n], 'f32', 'scratch', 'out');
      const filled = gpu.tensor([n], 'f32', 'scratch', 'filled');
      fill(gpu, filled, -2.5, n);
      scaleInto(gpu, out, tx, 0.75, n);
      axpy(gpu, ty, tx, -1.5, n);
      scale(gpu, tx, 3, n);
      const [gFill, gOut, gY, gX] = [await gpu.readF32(filled), await gpu.readF32(out), await gpu.readF32(ty), await gpu.readF32(tx)];
      gpu.free(tx, ty, out, filled);
      expect(closeness(gFill, fillRef(n, -2.5), TOL)).toBeNull();
      expect(closeness(gOut, scaleRef(x, 0.75), TOL)).toBeNull();
      expect(closeness(gY, axpyRef(y, x, -1.5), TOL)).toBeNull();
      expect(closeness(gX, scaleRef(x, 3), TOL)).toBeNull();
    });
  }

  it('touches only the first n elements', async () => {
    const gpu = await testGpu();
    const t = gpu.upload(new Float32Array([1, 2, 3, 4, 5]), [5], 'f32', 'scratch', 't');
    fill(gpu, t, 9, 2);
    scale(gpu, gpu.slice(t, 0, 5), 2, 3);
    expect(Array.from(await gpu.readF32(t))).toEqual([18, 18, 6, 4, 5]);
    gpu.free(t);
  });

  it('scaleInto and axpy on the same tensor work in place', async () => {
    const gpu = await testGpu();
    const t = gpu.upload(new Float32Array([1, -2, 3]), [3], 'f32', 'scratch', 't');
    scaleInto(gpu, t, t, 2, 3);
    axpy(gpu, t, t, 0.5, 3);
    expect(Array.from(await gpu.readF32(t))).toEqual([3, -6, 9]);
    gpu.free(t);
  });

  it('propagates NaN and infinity', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array([NaN, Infinity, 1]), [3], 'f32', 'scratch', 'x');
    const y = gpu.upload(new Float32Array([1, 1, -Infinity]), [3], 'f32', 'scratch', 'y');
    axpy(gpu, y, x, 2, 3);
    const got = await gpu.readF32(y);
    gpu.free(x, y);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(got[1]).toBe(Infinity);
    expect(got[2]).toBe(-Infinity);
  });

  it('rejects short tensors, wrong dtypes and partly aliased bindings with the names and sizes', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([4], 'f32', 'scratch', 'short');
    const b = gpu.tensor([8], 'f32', 'scratch', 'long');
    const i = gpu.tensor([8], 'i32', 'scratch', 'ints');
    expect(() => axpy(gpu, a, b, 1, 8)).toThrow(/axpy: y "short" \(4\) has 4 elements, needs 8/);
    expect(() => fill(gpu, i, 1, 8)).toThrow(/fill: out "ints" \(8\) is i32, expected f32/);
    expect(() => fill(gpu, b, NaN, 8)).toThrow(/value must be a finite number/);
    expect(() => scaleInto(gpu, gpu.slice(b, 0, 4), gpu.slice(b, 4, 4), 1, 4)).toThrow(/share a buffer/);
    scaleInto(gpu, b, gpu.slice(b, 0, 4), 1, 4);
    await gpu.finish();
    gpu.free(a, b, i);
  });
});

// Every form of the reduction (reduce-variants.ts) on the same sizes; undefined = the one chosen by default.
for (const variant of [undefined, ...REDUCE_VARIANTS] as (ReduceVariant | undefined)[]) describe(`deterministic reduction on Dawn (${variant ?? 'default'} form)`, () => {
  async function gpuFor(ctx: { skip: (note?: string) => never }) {
    const gpu = await testGpu();
    if (variant === 'subgroup' && !gpu.info.subgroups) ctx.skip('this adapter has no subgroups feature');
    return gpu;
  }

  // 4097 and 70_001 take the two-pass path (many partials, then one pass over them); 4096 too in the subgroup form.
  for (const n of [1, 255, 4096, 4097, 70_001]) {
    it(`sum and sum of squares match float64 for ${n} elements`, async (ctx) => {
      const gpu = await gpuFor(ctx);
      const x = randomFloats(n, 11, -2, 2);
      const tx = gpu.upload(x, [n], 'f32', 'scratch', 'x');
      const out = gpu.upload(new Float32Array([123]), [1], 'f32', 'scratch', 'out');
      const acc = gpu.upload(new Float32Array([0.5]), [1], 'f32', 'scratch', 'acc');
      if (variant === undefined) sum(gpu, out, tx, n); // the public entry point, default form
      else reduce(gpu, 'test', out, tx, n, false, false, variant);
      reduce(gpu, 'test', acc, tx, n, true, true, variant);
      const [s, q] = [(await gpu.readF32(out))[0], (await gpu.readF32(acc))[0]];
      gpu.free(tx, out, acc);
      let abs = 0;
      for (const v of x) abs += Math.abs(v);
      // A sum can cancel to near zero: the error is measured against the sum of magnitudes.
      expect(closeness([s], [sumRef(x)], { rtol: 1e-6, atol: 1e-6 * abs })).toBeNull();
      expect(closeness([q], [0.5 + sumOfSquaresRef(x)], { rtol: 1e-5 })).toBeNull();
    });
  }

  it('uses more than one workgroup for big inputs and gives bit-identical results on reruns', async (ctx) => {
    const gpu = await gpuFor(ctx);
    const n = 300_001;
    expect(reduceWorkgroups(n, variant)).toBeGreaterThan(1);
    const tx = gpu.upload(randomFloats(n, 5), [n], 'f32', 'scratch', 'x');
    const out = gpu.tensor([3], 'f32', 'scratch', 'out');
    for (let k = 0; k < 3; k++) reduce(gpu, 'test', gpu.slice(out, 0, 3), tx, n, false, false, variant);
    const first = (await gpu.readF32(out))[0];
    reduce(gpu, 'test', out, tx, n, false, false, variant);
    const again = (await gpu.readF32(out))[0];
    gpu.free(tx, out);
    expect(again).toBe(first);
  });

  it('sums from any first element (an unaligned part of a buffer), one pass and two', async (ctx) => {
    const gpu = await gpuFor(ctx);
    for (const [first, n] of [[3, 250], [1001, 9000]]) {
      const x = randomFloats(first + n + 5, 17, -2, 2);
      const tx = gpu.upload(x, [x.length], 'f32', 'scratch', 'x');
      const out = gpu.tensor([1], 'f32', 'scratch', 'out');
      reduce(gpu, 'test', out, tx, n, false, false, variant, first);
      const s = (await gpu.readF32(out))[0];
      gpu.free(tx, out);
      const part = x.subarray(first, first + n);
      let abs = 0;
      for (const v of part) abs += Math.abs(v);
      expect(closeness([s], [sumRef(part)], { rtol: 1e-6, atol: 1e-6 * abs }), `first ${first}, n ${n}`).toBeNull();
    }
  });

  it('sums NaN to NaN and an empty range to zero', async (ctx) => {
    const gpu = await gpuFor(ctx);
    const x = new Float32Array(5000).fill(1);
    x[4321] = NaN;
    const tx = gpu.upload(x, [5000], 'f32', 'scratch', 'x');
    const out = gpu.tensor([1], 'f32', 'scratch', 'out');
    const empty = gpu.upload(new Float32Array([7]), [1], 'f32', 'scratch', 'empty');
    reduce(gpu, 'test', out, tx, 5000, false, false, variant);
    reduce(gpu, 'test', empty, tx, 0, false, false, variant);
    const [s, e] = [(await gpu.readF32(out))[0], (await gpu.readF32(empty))[0]];
    gpu.free(tx, out, empty);
    expect(Number.isNaN(s)).toBe(true);
    expect(e).toBe(0);
  });
});

describe('serial reduction on Dawn', () => {
  it('equals the workgroup form bit for bit (same tree, one invocation per workgroup)', async () => {
    const gpu = await testGpu();
    for (const n of [1, 255, 4096, 4097, 70_001, 300_001]) {
      const x = randomFloats(n, n, -3, 3);
      x[n >> 1] = 1e5; // a large term makes the order of the sum visible in the low bits
      const tx = gpu.upload(x, [n], 'f32', 'scratch', 'x');
      const got: number[][] = [];
      for (const variant of ['workgroup', 'serial'] as const) {
        const sums = gpu.upload(new Float32Array([0.25]), [1], 'f32', 'scratch', 'sum');
        const squares = gpu.upload(new Float32Array([0.25]), [1], 'f32', 'scratch', 'sumsq');
        reduce(gpu, 'test', sums, tx, n, false, true, variant);
        reduce(gpu, 'test', squares, tx, n, true, true, variant);
        got.push([(await gpu.readF32(sums))[0], (await gpu.readF32(squares))[0]]);
        gpu.free(sums, squares);
      }
      gpu.free(tx);
      expect(got[1], `n = ${n}`).toEqual(got[0]);
    }
  });
});
