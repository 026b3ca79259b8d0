import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { planArenas } from './arena';
import { axpy, scale } from './kernels/elementwise';
import { expectOutputsDistinct } from './kernels/kernel-args';

describe('planArenas', () => {
  it('lays tensors end to end at the alignment and starts a new arena where one would not fit', () => {
    const plan = planArenas([8, 300, 0, 1000, 600, 6], 256, 1024);
    expect(plan.placements).toEqual([
      { arena: 0, byteOffset: 0 },
      { arena: 0, byteOffset: 256 },
      { arena: 0, byteOffset: 768 },
      { arena: 1, byteOffset: 0 },
      { arena: 2, byteOffset: 0 },
      { arena: 2, byteOffset: 768 },
    ]);
    expect(plan.arenaBytes).toEqual([772, 1000, 776]);
    expect(planArenas([], 256, 1024)).toEqual({ arenaBytes: [], placements: [] });
  });

  it('names a tensor larger than one arena, and rejects a bad alignment', () => {
    expect(() => planArenas([4, 2048], 256, 1024, (i) => `p${i}`)).toThrow(/^p1 needs 2048 bytes, more than one binding may hold \(1024\)$/);
    expect(() => planArenas([4], 6, 1024)).toThrow(/align must be a positive multiple of 4/);
    expect(() => planArenas([-4], 256, 1024)).toThrow(/tensor 0 has -4 bytes/);
  });
});

describe('arena views on Dawn', () => {
  it('reads, writes, copies, binds and zeroes a view without touching its neighbours', async () => {
    const gpu = await testGpu();
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    const arena = gpu.arena('grads', 3 * align, 'arena');
    const a = gpu.view(arena, 0, [3], 'f32', 'a');
    const b = gpu.view(arena, align, [2, 2], 'f32', 'b');
    const c = gpu.view(arena, 2 * align, [5], 'f32', 'c');
    gpu.write(a, new Float32Array([1, 2, 3]));
    gpu.write(b, new Float32Array([4, 5, 6, 7]));
    gpu.write(c, new Float32Array([8, 9]), 3);
    expect(Array.from(await gpu.readF32(b))).toEqual([4, 5, 6, 7]);
    expect(Array.from(await gpu.readF32(c))).toEqual([0, 0, 0, 8, 9]);
    // A kernel writes one view reading another arena's; one reading a view of its output's arena is refused (WebGPU
    // forbids a buffer both written and read by one dispatch).
    const other = gpu.arena('grads', align + 8, 'other');
    const d = gpu.view(other, align, [2], 'f32', 'd');
    gpu.write(d, new Float32Array([8, 9]));
    axpy(gpu, b, d, 10, 2);
    expect(() => axpy(gpu, b, gpu.slice(c, 3, 2), 10, 2)).toThrow(/share a buffer without being the same elements/);
    scale(gpu, a, 2, 3);
    gpu.copy(b, d, 8, 4, 0);
    expect(() => gpu.copy(b, c, 8)).toThrow(/cannot copy within one buffer/);
    expect(Array.from(await gpu.readF32(a))).toEqual([2, 4, 6]);
    expect(Array.from(await gpu.readF32(b))).toEqual([84, 95, 6, 7]);
    expect(Array.from(await gpu.readF32(d))).toEqual([95, 6]);
    gpu.free(d, other);
    gpu.zero(b);
    expect(Array.from(await gpu.readF32(a))).toEqual([2, 4, 6]);
    expect(Array.from(await gpu.readF32(b))).toEqual([0, 0, 0, 0]);
    expect(Array.from(await gpu.readF32(c))).toEqual([0, 0, 0, 8, 9]);
    expect(() => gpu.copy(b, a, 24)).toThrow(/overflows/);
    gpu.free(a, b, c, arena);
  });

  it('clears an arena whole only when every live view is zeroed', async () => {
    const gpu = await testGpu();
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    const arena = gpu.arena('grads', 2 * align + 8, 'arena');
    const views = [gpu.view(arena, 0, [2], 'f32', 'x'), gpu.view(arena, align, [2], 'f32', 'y'), gpu.view(arena, 2 * align, [2], 'f32', 'z')];
    const other = gpu.tensor([2], 'f32', 'grads', 'other');
    const fill = () => [...views, other].forEach((t, i) => gpu.write(t, new Float32Array([i + 1, i + 1])));
    const clears = () => gpu.counters().clears;

    fill();
    let before = clears();
    gpu.zeroAll([...views, other]);
    expect(clears() - before).toBe(2);
    for (const t of [...views, other]) expect(Array.from(await gpu.readF32(t))).toEqual([0, 0]);

    fill();
    before = clears();
    gpu.zeroAll(views.slice(0, 2));
    expect(clears() - before).toBe(2);
    expect(Array.from(await gpu.readF32(views[2]))).toEqual([3, 3]);
    expect(Array.from(await gpu.readF32(views[1]))).toEqual([0, 0]);
    gpu.free(views[2], other);
    // With z gone, x and y are every live view: one clear again.
    views.slice(0, 2).forEach((t) => gpu.write(t, new Float32Array([5, 5])));
    before = clears();
    gpu.zeroAll(views.slice(0, 2));
    expect(clears() - before).toBe(1);
    expect(Array.from(await gpu.readF32(views[0]))).toEqual([0, 0]);
    gpu.free(views[0], views[1], arena);
  });

  it('holds the arena (and its bytes in the ledger) until it and every view are freed', async () => {
    const gpu = await testGpu();
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    const live = () => gpu.memory().live.optimizer;
    const start = live();
    const arena = gpu.arena('optimizer', 2 * align, 'arena');
    expect(live() - start).toBe(2 * align);
    const x = gpu.view(arena, 0, [4], 'f32', 'x');
    const y = gpu.view(arena, align, [4], 'f32', 'y');
    expect(x.category).toBe('optimizer');
    expect(() => gpu.view(arena, align, [1], 'f32', 'y2')).toThrow(/view "y2" \(bytes 256\.\.260\) overlaps "y" in "arena"/);
    expect(() => gpu.view(arena, 4, [1], 'f32', 'odd')).toThrow(/starts at byte 4, not a multiple of 256/);
    expect(() => gpu.view(arena, align, [65], 'f32', 'big')).toThrow(/overflows "arena"/);
    gpu.free(arena);
    expect(() => gpu.view(arena, 0, [1], 'f32', 'late')).toThrow(/not a live arena/);
    gpu.free(x);
    expect(live() - start).toBe(2 * align);
    expect(() => gpu.free(x)).toThrow(/"x" is not a live tensor of this arena/);
    gpu.free(y);
    expect(live()).toBe(start);
  });

  it('lets a dispatch write two views of one arena, never write one and read another', async () => {
    const gpu = await testGpu();
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    const arena = gpu.arena('grads', 2 * align + 16, 'arena');
    const [x, y, z] = [0, align, 2 * align].map((at, i) => gpu.view(arena, at, [4], 'f32', `v${i}`));
    const other = gpu.tensor([4], 'f32', 'scratch', 'other');
    expect(() => expectOutputsDistinct('op', { x, y }, { other })).not.toThrow();
    expect(() => expectOutputsDistinct('op', { x, y: gpu.slice(x, 2, 2) }, {})).toThrow(/output x shares a buffer with y "v0"\[2, 4\)/);
    expect(() => expectOutputsDistinct('op', { x }, { other, z })).toThrow(/output x shares a buffer with z "v2" \(4\)/);
    gpu.free(x, y, z, arena, other);
  });
});
