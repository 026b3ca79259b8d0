import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import type { Gpu } from '../gpu';
import { dropoutBackward, dropoutForward, dropoutMaskCpu, dropoutScaleMask, type DropoutOptions } from './dropout';
import { dropoutRef, mulhilo32, philox4x32 } from './dropout.ref';

const hex = (words: readonly number[]) => words.map((w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10 on the CPU', () => {
  // Known-answer vectors from Random123's tests/kat_vectors (counter words, key words -> output words).
  it('reproduces the Random123 known-answer vectors', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toBe(
      '408f276d 41c83b0e a20bc7c6 6d5451fd',
    );
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe(
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });

  it('differs when a round is missing', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0], 9))).not.toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  });

  it('multiplies 32-bit words exactly (checked against BigInt)', () => {
    const pts = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xd2511f53, 0xcd9e8d57, 0x12345678];
    for (const a of pts) {
      for (const b of pts) {
        const p = BigInt(a) * BigInt(b);
        expect(mulhilo32(a, b)).toEqual([Number(p >> 32n), Number(p & 0xffffffffn)]);
      }
    }
  });
});

async function runDropout(gpu: Gpu, x: Float32Array, o: DropoutOptions, inPlace = false): Promise<Float32Array> {
  const inp = gpu.upload(x, [x.length], 'f32', 'scratch', 'inp');
  const out = inPlace ? inp : gpu.tensor([x.length], 'f32', 'scratch', 'out');
  dropoutForward(gpu, out, inp, x.length, o);
  const got = await gpu.readF32(out);
  gpu.free(inp, inPlace ? null : out);
  return got;
}

describe('dropout on Dawn', () => {
  const o: DropoutOptions = { p: 0.1, seed: 1234, stream: 3 };

  for (const n of [1, 1000, 70_001]) {
    it(`matches the CPU reference for ${n} elements (same mask bit for bit)`, async () => {
      const gpu = await testGpu();
      const x = randomFloats(n, 7);
      const got = await runDropout(gpu, x, o);
      const want = dropoutRef(x, o);
      expect(closeness(got, want, { rtol: 1e-6, atol: 1e-7 })).toBeNull();
      const mask = dropoutMaskCpu(n, o);
      for (let i = 0; i < n; i++) if ((got[i] !== 0) !== (mask[i] === 1)) throw new Error(`mask differs at ${i}`);
    });
  }

  it('keys with both words of a seed above 2^32', async () => {
    const gpu = await testGpu();
    const n = 4000;
    const big: DropoutOptions = { p: 0.5, seed: 2 ** 40 + 77, stream: 0 };
    const ones = new Float32Array(n).fill(1);
    const got = await runDropout(gpu, ones, big);
    expect(Array.from(got, (v) => (v === 2 ? 1 : 0))).toEqual(Array.from(dropoutMaskCpu(n, big)));
    expect(Array.from(dropoutMaskCpu(n, big))).not.toEqual(Array.from(dropoutMaskCpu(n, { ...big, seed: 77 })));
  });

  it('keeps 1-p of the elements within statistical bounds', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5]) {
      let kept = 0;
      for (const m of dropoutMaskCpu(n, { p, seed: 99, stream: 1 })) kept += m;
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(kept - n * (1 - p))).toBeLessThan(5 * sd);
    }
  });

  it('regenerates the forward mask in the backward pass', async () => {
    const gpu = await testGpu();
    const n = 5000;
    const x = randomFloats(n, 8);
    const dy = randomFloats(n, 9);
    const y = await runDropout(gpu, x, o);
    const tdy = gpu.upload(dy, [n], 'f32', 'scratch', 'dout');
    const dx = gpu.tensor([n], 'f32', 'scratch', 'dinp');
    dropoutBackward(gpu, dx, tdy, n, o);
    const got = await gpu.readF32(dx);
    gpu.free(tdy, dx);
    for (let i = 0; i < n; i++) if ((got[i] === 0) !== (y[i] === 0)) throw new Error(`backward mask differs at ${i}`);
    expect(closeness(got, dropoutRef(dy, o), { rtol: 1e-6, atol: 1e-7 })).toBeNull();
  });

  it('is reproducible and differs across seeds and streams', async () => {
    const gpu = await testGpu();
    const ones = new Float32Array(2000).fill(1);
    const a = await runDropout(gpu, ones, o);
    const again = await runDropout(gpu, ones, o);
    const otherSeed = await runDropout(gpu, ones, { ...o, seed: 1235 });
    const otherStream = await runDropout(gpu, ones, { ...o, stream: 4 });
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Array.from(otherSeed)).not.toEqual(Array.from(a));
    expect(Array.from(otherStream)).not.toEqual(Array.from(a));
  });

  it('works in place and copies when p = 0', async () => {
    const gpu = await testGpu();
    const x = randomFloats(777, 10);
    expect(Array.from(await runDropout(gpu, x, o, true))).toEqual(Array.from(await runDropout(gpu, x, o)));
    expect(Array.from(await runDropout(gpu, x, { ...o, p: 0 }))).toEqual(Array.from(x));
    expect(Array.from(await runDropout(gpu, x, { ...o, p: 0 }, true))).toEqual(Array.from(x));
  });

  it('writes the mask as a scale tensor equal to dropout of ones, bit for bit', async () => {
    const gpu = await testGpu();
    const n = 3001;
    const scale = gpu.upload(randomFloats(n, 11), [n], 'f32', 'scratch', 'scale');
    dropoutScaleMask(gpu, scale, n, o);
    const got = await gpu.readF32(scale);
    gpu.free(scale);
    expect(Array.from(got)).toEqual(Array.from(await runDropout(gpu, new Float32Array(n).fill(1), o)));
    expect(Array.from(got)).toEqual(Array.from(dropoutRef(new Float32Array(n).fill(1), o), Math.fround));
  });

  it('rejects bad options and short tensors', async () => {
    const gpu = await testGpu();
    const t = gpu.tensor([10], 'f32', 'scratch', 'act');
    expect(() => dropoutForward(gpu, t, t, 10, { ...o, p: 1 })).toThrow(/p must be in \[0, 1\)/);
    expect(() => dropoutForward(gpu, t, t, 10, { ...o, seed: -1 })).toThrow(/seed/);
    expect(() => dropoutForward(gpu, t, t, 10, { ...o, stream: 1.5 })).toThrow(/stream/);
    expect(() => dropoutForward(gpu, t, t, 11, o)).toThrow(/out "act" \(10\) has 10 elements, needs 11/);
    gpu.free(t);
  });
});
