import { describe, expect, it } from 'vitest';
import { dot, numericGradient, randomDoubles } from '../../testing/finite-diff';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { embeddingBackward, embeddingForward, embeddingGradIndex, EmbeddingGradIndexBuffers, uploadEmbeddingGradIndex } from './embedding';
import { embeddingBackwardRef, embeddingForwardRef } from './embedding.ref';
import { dropoutForward } from './dropout';
import { dropoutRef } from './dropout.ref';

function randomIds(n: number, V: number, seed: number): Int32Array {
  return Int32Array.from(randomFloats(n, seed, 0, V), Math.floor);
}

describe('embedding CPU side', () => {
  it('groups positions by id, ascending, with offsets', () => {
    const index = embeddingGradIndex([5, 2, 5, 0, 2, 5]);
    expect(Array.from(index.uniqueIds)).toEqual([0, 2, 5]);
    expect(Array.from(index.offsets)).toEqual([0, 1, 3, 6]);
    expect(Array.from(index.positions)).toEqual([3, 1, 4, 0, 2, 5]);
    expect(Array.from(embeddingGradIndex([]).offsets)).toEqual([0]);
    expect(() => embeddingGradIndex([1, -1])).toThrow(/ids\[1\] = -1/);
  });

  it('backward reference matches central differences of the forward', () => {
    const V = 4;
    const C = 3;
    const ids = [1, 3, 1, 1, 0];
    const table = randomDoubles(V * C, 1);
    const dout = randomDoubles(ids.length * C, 2);
    const numeric = numericGradient((t) => dot(embeddingForwardRef(ids, t, ids.length, C), dout), table);
    expect(closeness(embeddingBackwardRef(dout, ids, V, C), numeric, { rtol: 1e-8, atol: 1e-10 })).toBeNull();
  });
});

describe('embedding kernels on Dawn', () => {
  for (const [N, V, C] of [[1, 1, 1], [7, 5, 1], [13, 11, 33], [300, 50, 260]]) {
    it(`forward gathers rows at N=${N}, V=${V}, C=${C}`, async () => {
      const gpu = await testGpu();
      const ids = randomIds(N, V, N + V);
      const table = randomFloats(V * C, C);
      const tIds = gpu.upload(ids, [N], 'i32', 'scratch', 'ids');
      const tTable = gpu.upload(table, [V, C], 'f32', 'scratch', 'table');
      const out = gpu.tensor([N, C], 'f32', 'scratch', 'out');
      embeddingForward(gpu, out, tIds, tTable, N, C);
      const got = await gpu.readF32(out);
      gpu.free(tIds, tTable, out);
      expect(closeness(got, embeddingForwardRef(ids, table, N, C), { rtol: 0, atol: 0 })).toBeNull();
    });
  }

  // Many duplicates (every id repeats ~N/V times), an id that never occurs, and C not a multiple of 64.
  for (const [N, V, C] of [[1, 1, 1], [200, 3, 70], [257, 40, 16]]) {
    it(`backward adds duplicate ids into dtable (+=) at N=${N}, V=${V}, C=${C}`, async () => {
      const gpu = await testGpu();
      const ids = randomIds(N, V - (V > 1 ? 1 : 0), N * 7 + C);
      const dout = randomFloats(N * C, N + 3);
      const before = randomFloats(V * C, V + 4);
      const index = uploadEmbeddingGradIndex(gpu, embeddingGradIndex(ids), 'grad-index');
      const dtable = gpu.upload(before, [V, C], 'f32', 'grads', 'dtable');
      const tDout = gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout');
      embeddingBackward(gpu, dtable, tDout, index, C);
      const got = await gpu.readF32(dtable);
      gpu.free(dtable, tDout, index.uniqueIds, index.offsets, index.positions);
      const want = embeddingBackwardRef(dout, ids, V, C).map((v, i) => v + before[i]);
      expect(closeness(got, want, { rtol: 1e-5, atol: 1e-5 })).toBeNull();
      if (V > 1) expect(Array.from(got.slice((V - 1) * C))).toEqual(Array.from(before.slice((V - 1) * C)));
    });
  }

  it('backward is deterministic: two runs give identical bits', async () => {
    const gpu = await testGpu();
    const N = 500;
    const C = 8;
    const ids = randomIds(N, 2, 99);
    const dout = randomFloats(N * C, 98, -1e3, 1e3);
    const index = uploadEmbeddingGradIndex(gpu, embeddingGradIndex(ids), 'grad-index');
    const tDout = gpu.upload(dout, [N, C], 'f32', 'scratch', 'dout');
    const dtable = gpu.tensor([2, C], 'f32', 'grads', 'dtable');
    const runs: Float32Array[] = [];
    for (let r = 0; r < 2; r++) {
      gpu.zero(dtable);
      embeddingBackward(gpu, dtable, tDout, index, C);
      runs.push(await gpu.readF32(dtable));
    }
    gpu.free(dtable, tDout, index.uniqueIds, index.offsets, index.positions);
    expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
  });

  it('held index buffers: batches of one size reuse them (no allocation) and give the same gradients as fresh uploads', async () => {
    const gpu = await testGpu();
    const [N, V, C] = [40, 9, 6];
    const held = new EmbeddingGradIndexBuffers(gpu);
    const tDout = gpu.tensor([N, C], 'f32', 'scratch', 'dout');
    const dtable = gpu.tensor([V, C], 'f32', 'grads', 'dtable');
    for (let batch = 0; batch < 3; batch++) {
      // Fewer distinct ids each batch: the views shrink inside the held buffers.
      const ids = randomIds(N, V - 3 * batch, 50 + batch);
      const dout = randomFloats(N * C, 60 + batch);
      gpu.write(tDout, dout);
      gpu.zero(dtable);
      const allocations = gpu.counters().allocations;
      embeddingBackward(gpu, dtable, tDout, held.upload(embeddingGradIndex(ids), 'idx'), C);
      if (batch > 0) expect(gpu.counters().allocations).toBe(allocations);
      const got = await gpu.readF32(dtable);
      expect(closeness(got, embeddingBackwardRef(dout, ids, V, C), { rtol: 1e-5, atol: 1e-5 })).toBeNull();
    }
    const buffers = gpu.memory().buffers;
    held.free();
    expect(gpu.memory().buffers).toBe(buffers - 3);
    gpu.free(tDout, dtable);
  });

  it('rejects wrong dtypes and shapes naming the tensor', async () => {
    const gpu = await testGpu();
    const idsF = gpu.tensor([3], 'f32', 'scratch', 'idsF');
    const table = gpu.tensor([4, 2], 'f32', 'scratch', 'table');
    const out = gpu.tensor([3, 2], 'f32', 'scratch', 'out');
    expect(() => embeddingForward(gpu, out, idsF, table, 3, 2)).toThrow(/embeddingForward: ids must be i32, got f32/);
    expect(() => embeddingForward(gpu, out, out, table, 3, 2)).toThrow(/ids must be i32/);
    const index = uploadEmbeddingGradIndex(gpu, embeddingGradIndex([0, 1]), 'idx');
    expect(() => embeddingBackward(gpu, table, out, index, 2)).toThrow(/dout has 6 elements, expected \(N,C\) = \(2,2\) = 4/);
    gpu.free(idsF, table, out, index.uniqueIds, index.offsets, index.positions);
  });
});

describe('embedding lookup with the input dropout fused', () => {
  it('equals the lookup followed by the dropout kernel, bit for bit, and the CPU reference', async () => {
    const gpu = await testGpu();
    const [N, V, C] = [9, 13, 20];
    const o = { p: 0.25, seed: 3, stream: 1_000_001 };
    const idsH = Int32Array.from({ length: N }, (_, i) => (i * 5) % V);
    const tableH = randomFloats(V * C, 31);
    const ids = gpu.upload(idsH, [N], 'i32', 'scratch', 'ids');
    const table = gpu.upload(tableH, [V * C], 'f32', 'scratch', 'table');
    const fused = gpu.tensor([N * C], 'f32', 'scratch', 'fused');
    const plain = gpu.tensor([N * C], 'f32', 'scratch', 'plain');
    embeddingForward(gpu, fused, ids, table, N, C, o);
    embeddingForward(gpu, plain, ids, table, N, C);
    dropoutForward(gpu, plain, plain, N * C, o);
    const [got, want] = [Array.from(await gpu.readF32(fused)), Array.from(await gpu.readF32(plain))];
    gpu.free(ids, table, fused, plain);
    expect(got).toEqual(want);
    expect(closeness(got, dropoutRef(embeddingForwardRef(idsH, tableH, N, C), o), { rtol: 1e-6, atol: 1e-7 })).toBeNull();
  });
});
