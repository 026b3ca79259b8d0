import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { add } from './add';
import { addRef } from './add.ref';

describe('add kernel on Dawn', () => {
  for (const n of [1, 255, 256, 1000, 70_001]) {
    it(`matches the CPU reference for ${n} elements`, async () => {
      const gpu = await testGpu();
      const a = randomFloats(n, 1);
      const b = randomFloats(n, 2);
      const ta = gpu.upload(a, [n], 'f32', 'scratch', 'a');
      const tb = gpu.upload(b, [n], 'f32', 'scratch', 'b');
      const out = gpu.tensor([n], 'f32', 'scratch', 'out');
      add(gpu, out, ta, tb, 0.5);
      const got = await gpu.readF32(out);
      gpu.free(ta, tb, out);
      expect(closeness(got, addRef(a, b, 0.5), { rtol: 1e-6, atol: 1e-7 })).toBeNull();
    });
  }

  it('folds large launches into a second grid dimension', async () => {
    const gpu = await testGpu();
    const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension;
    const n = (limit + 10) * 256;
    const [x, y] = gpu.grid1d({ name: 'g', shader: 'add', bindings: [], workgroupSize: [256] }, n);
    expect(y).toBeGreaterThan(1);
    expect(x * y * 256).toBeGreaterThanOrEqual(n);
  });

  it('propagates NaN', async () => {
    const gpu = await testGpu();
    const ta = gpu.upload(new Float32Array([NaN, 1]), [2], 'f32', 'scratch', 'a');
    const tb = gpu.upload(new Float32Array([1, Infinity]), [2], 'f32', 'scratch', 'b');
    const out = gpu.tensor([2], 'f32', 'scratch', 'out');
    add(gpu, out, ta, tb);
    const got = await gpu.readF32(out);
    gpu.free(ta, tb, out);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(got[1]).toBe(Infinity);
  });
});
