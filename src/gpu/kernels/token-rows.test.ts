import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { matmulRef } from './matmul.ref';
import { tokenRowsGrad } from './token-rows';
import { tokenRowsGradRef } from './token-rows.ref';

describe('token rows gradient', () => {
  it('the reference equals the picked rows of the full dW = dlogits^T x', () => {
    const [M, V, C] = [5, 7, 3];
    const dlogits = randomFloats(M * V, 1);
    const x = randomFloats(M * C, 2);
    const ids = [6, 0, 3];
    // full dW (V,C) = dlogits^T (V,M) x (M,C)
    const full = matmulRef(dlogits, x, { M: V, N: C, K: M }, { transA: true });
    const rows = tokenRowsGradRef(dlogits, x, ids, M, V, C);
    for (let j = 0; j < ids.length; j++) {
      expect(Array.from(rows.slice(j * C, (j + 1) * C))).toEqual(Array.from(full.slice(ids[j] * C, (ids[j] + 1) * C)));
    }
  });

  for (const [M, V, C, K] of [[1, 1, 1, 1], [14, 50, 33, 3], [130, 300, 70, 2]]) {
    it(`accumulates (+=) the rows on Dawn at M=${M}, V=${V}, C=${C}, K=${K}`, async () => {
      const gpu = await testGpu();
      const dlogits = randomFloats(M * V, M + V);
      const x = randomFloats(M * C, C + 1);
      const ids = Int32Array.from({ length: K }, (_, j) => (V - 1 - j * 7 + V * 8) % V);
      const before = randomFloats(K * C, K + 9);
      const t = {
        drows: gpu.upload(before, [K, C], 'f32', 'grads', 'drows'),
        dlogits: gpu.upload(dlogits, [M, V], 'f32', 'scratch', 'dlogits'),
        x: gpu.upload(x, [M, C], 'f32', 'scratch', 'x'),
        ids: gpu.upload(ids, [K], 'i32', 'scratch', 'ids'),
      };
      tokenRowsGrad(gpu, t.drows, t.dlogits, t.x, t.ids, M, V, C, K);
      const got = await gpu.readF32(t.drows);
      gpu.free(t.drows, t.dlogits, t.x, t.ids);
      const want = tokenRowsGradRef(dlogits, x, ids, M, V, C).map((v, i) => v + before[i]);
      expect(closeness(got, want, { rtol: 1e-5, atol: 1e-5 })).toBeNull();
    });
  }

  it('refuses a drows of the wrong size, naming it', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([6], 'f32', 'scratch', 'a');
    const ids = gpu.upload(Int32Array.of(0, 1), [2], 'i32', 'scratch', 'ids');
    expect(() => tokenRowsGrad(gpu, a, a, a, ids, 2, 3, 2, 2)).toThrow(/drows has 6 elements, expected \(K,C\) = \(2,2\)/);
    gpu.free(a, ids);
  });
});
