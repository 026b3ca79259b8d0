import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { fill } from './kernels/elementwise';
import { ReadbackSlots } from './readback-slots';

describe('ReadbackSlots', () => {
  it('gathers scalars written by different kernels, in order, with one readback', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([3], 'f32', 'scratch', 'x');
    const y = gpu.tensor([1], 'f32', 'scratch', 'y');
    const slots = new ReadbackSlots(gpu, 2, 'slots');
    slots.reset(4);
    expect(slots.capacity).toBe(4);
    fill(gpu, x, 1.5, 3);
    const a = slots.take(x, 2);
    fill(gpu, x, -2, 3); // a later write to the same source does not change what was taken
    const b = slots.take(x, 0);
    fill(gpu, y, 7, 1);
    const c = slots.take(y);
    const readbacks = gpu.counters().readbacks;
    const values = await slots.read();
    expect(gpu.counters().readbacks - readbacks).toBe(1);
    expect([a, b, c]).toEqual([0, 1, 2]);
    expect(Array.from(values)).toEqual([1.5, -2, 7]);
    slots.take(y);
    expect(() => slots.take(y)).toThrow(/all 4 slots are taken/);
    expect(() => slots.take(x, 3)).toThrow(/element 3 is outside "x"/);
    slots.reset();
    expect(Array.from(await slots.read())).toEqual([]);
    slots.free();
    gpu.free(x, y);
  });
});
