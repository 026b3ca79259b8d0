import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import type { Gpu } from '../gpu';
import { clipScale, sumOfSquares, sumOfSquaresOf } from './grad-norm';
import { clipScaleRef, globalNormRef } from './grad-norm.ref';

/** sumsq over the grads, then the clip scale: [sumsq, scale] read back. */
async function clip(gpu: Gpu, grads: Float32Array[], maxNorm: number): Promise<[number, number]> {
  const sumsq = gpu.tensor([1], 'f32', 'scratch', 'sumsq');
  const scale = gpu.tensor([1], 'f32', 'scratch', 'scale');
  gpu.zero(sumsq);
  const ts = grads.map((g, i) => gpu.upload(g, [g.length], 'f32', 'grads', `g${i}`));
  ts.forEach((t, i) => sumOfSquares(gpu, sumsq, t, grads[i].length));
  clipScale(gpu, scale, sumsq, maxNorm);
  const out: [number, number] = [(await gpu.readF32(sumsq))[0], (await gpu.readF32(scale))[0]];
  gpu.free(sumsq, scale, ...ts);
  return out;
}

describe('gradient norm and clipping on Dawn', () => {
  it('sums squares over several tensors of awkward sizes and clips like torch', async () => {
    const gpu = await testGpu();
    const grads = [randomFloats(1, 1), randomFloats(257, 2), randomFloats(5003, 3, -3, 3), randomFloats(70_001, 4)];
    const total = globalNormRef(grads);
    const [s, c] = await clip(gpu, grads, 1);
    expect(closeness([s], [total * total], { rtol: 1e-5 })).toBeNull();
    expect(closeness([c], [clipScaleRef(total, 1)], { rtol: 1e-5 })).toBeNull();
    expect(c).toBeLessThan(1);
  });

  it('leaves small gradients alone (scale exactly 1) and disables clipping for maxNorm <= 0 or Infinity', async () => {
    const gpu = await testGpu();
    const small = [new Float32Array([0.1, -0.2, 0.05])];
    expect((await clip(gpu, small, 1))[1]).toBe(1);
    const big = [new Float32Array([30, 40])];
    expect(closeness([(await clip(gpu, big, 2))[1]], [2 / (50 + 1e-6)], { rtol: 1e-6 })).toBeNull();
    for (const off of [0, -1, Infinity]) expect((await clip(gpu, big, off))[1]).toBe(1);
  });

  it('passes NaN through and zeroes the scale for an infinite norm', async () => {
    const gpu = await testGpu();
    expect(Number.isNaN((await clip(gpu, [new Float32Array([1, NaN, 2])], 1))[1])).toBe(true);
    expect((await clip(gpu, [new Float32Array([1, Infinity])], 1))[1]).toBe(0);
    expect((await clip(gpu, [new Float32Array([3e38, 3e38])], 1))[1]).toBe(0); // the squares overflow f32
  });

  it('sums squares over a list of tensors in one go, overwriting what the sum held (0 for none)', async () => {
    const gpu = await testGpu();
    const grads = [randomFloats(70_001, 5), randomFloats(3, 6), randomFloats(5003, 7, -3, 3)];
    const ts = grads.map((g, i) => gpu.upload(g, [g.length], 'f32', 'grads', `g${i}`));
    const sumsq = gpu.upload(new Float32Array([123]), [1], 'f32', 'scratch', 'sumsq');
    sumOfSquaresOf(gpu, sumsq, ts);
    const total = globalNormRef(grads);
    expect(closeness(await gpu.readF32(sumsq), [total * total], { rtol: 1e-5 })).toBeNull();
    sumOfSquaresOf(gpu, sumsq, []);
    expect((await gpu.readF32(sumsq))[0]).toBe(0);
    gpu.free(sumsq, ...ts);
  });

  it('matches the reference coefficient', () => {
    expect(clipScaleRef(5, 1)).toBeCloseTo(0.2, 6);
    expect(clipScaleRef(0.5, 1)).toBe(1);
    expect(clipScaleRef(5, Infinity)).toBe(1);
  });
});
