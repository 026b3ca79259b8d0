import { describe, expect, it } from 'vitest';
import { dot, numericGradient, randomDoubles } from '../../testing/finite-diff';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { gatedGeluBackward, gatedGeluForward, reluBackward, reluForward } from './activation';
import { dropoutBackward, dropoutForward } from './dropout';
import { dropoutRef } from './dropout.ref';
import { gatedGeluBackwardRef, gatedGeluForwardRef, GELU_A, GELU_K, geluNewRef, reluBackwardRef, reluForwardRef } from './activation.ref';

const TOL = { rtol: 1e-5, atol: 1e-7 };
/** Values a T5 FFN meets, plus the edges where gelu_new saturates. */
const SPECIAL = [NaN, Infinity, -Infinity, 1e30, -1e30, 20, -20, 10.5, -10.5, 0, -0, 1e-30, -3, 3];

describe('activation CPU references', () => {
  it('gelu_new in sigmoid form equals the tanh form HF writes', () => {
    const xs = randomDoubles(2000, 1, -8, 8);
    const tanhForm = Array.from(xs, (x) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_A * x * x * x))));
    expect(closeness(Array.from(xs, geluNewRef), tanhForm, { rtol: 1e-12, atol: 1e-14 })).toBeNull();
  });

  it('gated gelu backward matches central differences (a and b)', () => {
    const n = 40;
    const a = randomDoubles(n, 2, -6, 6);
    const b = randomDoubles(n, 3);
    const dout = randomDoubles(n, 4);
    const { da, db } = gatedGeluBackwardRef(dout, a, b);
    expect(closeness(da, numericGradient((x) => dot(gatedGeluForwardRef(x, b), dout), a), { rtol: 1e-7, atol: 1e-9 })).toBeNull();
    expect(closeness(db, numericGradient((y) => dot(gatedGeluForwardRef(a, y), dout), b), { rtol: 1e-7, atol: 1e-9 })).toBeNull();
  });

  it('relu backward matches central differences away from 0', () => {
    const a = randomDoubles(30, 5).map((x) => (Math.abs(x) < 0.01 ? 0.5 : x));
    const dout = randomDoubles(30, 6);
    expect(closeness(reluBackwardRef(dout, a), numericGradient((x) => dot(reluForwardRef(x), dout), a), { rtol: 1e-7, atol: 1e-9 })).toBeNull();
  });
});

describe('activation kernels on Dawn', () => {
  async function gated(a: Float32Array, b: Float32Array, dout: Float32Array) {
    const gpu = await testGpu();
    const n = a.length;
    const ta = gpu.upload(a, [n], 'f32', 'scratch', 'a');
    const tb = gpu.upload(b, [n], 'f32', 'scratch', 'b');
    const tDout = gpu.upload(dout, [n], 'f32', 'scratch', 'dout');
    const out = gpu.tensor([n], 'f32', 'scratch', 'out');
    // Pre-filled with junk: backward overwrites, it does not accumulate.
    const da = gpu.upload(new Float32Array(n).fill(7), [n], 'f32', 'scratch', 'da');
    const db = gpu.upload(new Float32Array(n).fill(7), [n], 'f32', 'scratch', 'db');
    gatedGeluForward(gpu, out, ta, tb, n);
    gatedGeluBackward(gpu, da, db, tDout, ta, tb, n);
    const got = { out: await gpu.readF32(out), da: await gpu.readF32(da), db: await gpu.readF32(db) };
    gpu.free(ta, tb, tDout, out, da, db);
    return got;
  }

  for (const n of [1, 255, 1000, 4099]) {
    it(`gated gelu forward and backward match the reference for ${n} elements`, async () => {
      const a = randomFloats(n, n, -6, 6);
      const b = randomFloats(n, n + 1);
      const dout = randomFloats(n, n + 2);
      const got = await gated(a, b, dout);
      expect(closeness(got.out, gatedGeluForwardRef(a, b), TOL)).toBeNull();
      const want = gatedGeluBackwardRef(dout, a, b);
      expect(closeness(got.da, want.da, TOL)).toBeNull();
      expect(closeness(got.db, want.db, TOL)).toBeNull();
    });
  }

  it('gated gelu handles NaN, infinities and overflowing x^3 like HF', async () => {
    const a = new Float32Array(SPECIAL);
    const ones = new Float32Array(a.length).fill(1);
    const got = await gated(a, ones, ones);
    // HF: gelu_new(inf) = inf, gelu_new(-inf) = -inf * 0 = NaN, gelu_new(1e30) = 1e30, gelu_new(-1e30) = -0.
    expect(Array.from(got.out.slice(0, 5))).toEqual([NaN, Infinity, NaN, Math.fround(1e30), -0]);
    expect(closeness(got.out, gatedGeluForwardRef(a, ones), TOL)).toBeNull();
    const want = gatedGeluBackwardRef(ones, a, ones);
    expect(closeness(got.da, want.da, TOL)).toBeNull();
    expect(closeness(got.db, want.db, TOL)).toBeNull();
    expect(Number.isNaN(got.da[0])).toBe(true);
  });

  it('relu forward and backward match the reference, keeping NaN', async () => {
    const gpu = await testGpu();
    const a = new Float32Array([...SPECIAL, ...randomFloats(300, 9)]);
    const dout = randomFloats(a.length, 10);
    const n = a.length;
    const ta = gpu.upload(a, [n], 'f32', 'scratch', 'a');
    const tDout = gpu.upload(dout, [n], 'f32', 'scratch', 'dout');
    const out = gpu.tensor([n], 'f32', 'scratch', 'out');
    const da = gpu.upload(new Float32Array(n).fill(7), [n], 'f32', 'scratch', 'da');
    reluForward(gpu, out, ta, n);
    reluBackward(gpu, da, tDout, ta, n);
    const gotOut = await gpu.readF32(out);
    const gotDa = await gpu.readF32(da);
    gpu.free(ta, tDout, out, da);
    expect(Number.isNaN(gotOut[0])).toBe(true);
    expect(gotDa[0]).toBe(0);
    expect(closeness(gotOut, reluForwardRef(a), { rtol: 0, atol: 0 })).toBeNull();
    expect(closeness(gotDa, reluBackwardRef(dout, a), { rtol: 0, atol: 0 })).toBeNull();
  });

  it('rejects a mismatched size naming the tensor', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4], 'f32', 'scratch', 'x');
    const y = gpu.tensor([5], 'f32', 'scratch', 'y');
    expect(() => gatedGeluForward(gpu, x, x, y, 4)).toThrow(/gatedGeluForward: b has 5 elements, expected \(n\) = 4/);
    gpu.free(x, y);
  });
});

describe('activation kernels with the hidden dropout fused', () => {
  const o = { p: 0.25, seed: 2 ** 35 + 3, stream: 100_019 };
  const n = 1500;
  const a = randomFloats(n, 21);
  const b = randomFloats(n, 22);
  const dout = randomFloats(n, 23);

  it('forward and backward equal the activation and the dropout kernel run one after the other, bit for bit', async () => {
    const gpu = await testGpu();
    const up = (x: Float32Array, name: string) => gpu.upload(x, [n], 'f32', 'scratch', name);
    const [ta, tb, td] = [up(a, 'a'), up(b, 'b'), up(dout, 'dout')];
    const t = () => gpu.tensor([n], 'f32', 'scratch', 'out');
    const read = async (...ts: ReturnType<typeof t>[]) => Promise.all(ts.map(async (x) => Array.from(await gpu.readF32(x))));
    const [fusedG, fusedR, plainG, plainR] = [t(), t(), t(), t()];
    gatedGeluForward(gpu, fusedG, ta, tb, n, o);
    reluForward(gpu, fusedR, ta, n, o);
    gatedGeluForward(gpu, plainG, ta, tb, n);
    dropoutForward(gpu, plainG, plainG, n, o);
    reluForward(gpu, plainR, ta, n);
    dropoutForward(gpu, plainR, plainR, n, o);
    const [fg, fr, pg, pr] = await read(fusedG, fusedR, plainG, plainR);
    expect(fg).toEqual(pg);
    expect(fr).toEqual(pr);
    expect(closeness(fg, dropoutRef(gatedGeluForwardRef(a, b), o), TOL)).toBeNull();
    expect(closeness(fr, dropoutRef(reluForwardRef(a), o), TOL)).toBeNull();

    const [da, db, daR, pda, pdb, pdaR, dd] = [t(), t(), t(), t(), t(), t(), t()];
    gatedGeluBackward(gpu, da, db, td, ta, tb, n, o);
    reluBackward(gpu, daR, td, ta, n, o);
    dropoutBackward(gpu, dd, td, n, o);
    gatedGeluBackward(gpu, pda, pdb, dd, ta, tb, n);
    reluBackward(gpu, pdaR, dd, ta, n);
    const [gda, gdb, gdaR, wda, wdb, wdaR] = await read(da, db, daR, pda, pdb, pdaR);
    expect(gda).toEqual(wda);
    expect(gdb).toEqual(wdb);
    expect(gdaR).toEqual(wdaR);
    const ref = gatedGeluBackwardRef(dropoutRef(dout, o), a, b);
    expect(closeness(gda, ref.da, TOL)).toBeNull();
    expect(closeness(gdb, ref.db, TOL)).toBeNull();
    expect(closeness(gdaR, reluBackwardRef(dropoutRef(dout, o), a), TOL)).toBeNull();
    gpu.free(ta, tb, td, fusedG, fusedR, plainG, plainR, da, db, daR, pda, pdb, pdaR, dd);
  });

  it('refuses a bad p', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4], 'f32', 'scratch', 'x');
    const y = gpu.tensor([4], 'f32', 'scratch', 'y');
    expect(() => reluForward(gpu, y, x, 4, { ...o, p: 1 })).toThrow(/reluForward: p must be in \[0, 1\)/);
    gpu.free(x, y);
  });
});
