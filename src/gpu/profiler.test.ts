import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { add } from './kernels/add';
import { fill } from './kernels/elementwise';
import type { GpuCounters } from './gpu';

const diff = (a: GpuCounters, b: GpuCounters) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, b[k as keyof GpuCounters] - a[k as keyof GpuCounters]]));

describe('Gpu counters and the timestamp profiler', () => {
  it('counts dispatches, bind groups, submits, readbacks, allocations, clears and writes exactly', async () => {
    const gpu = await testGpu();
    const warm = gpu.tensor([1], 'f32', 'scratch', 'warm');
    fill(gpu, warm, 0, 1); // the first dispatch makes the uniform arena's chunk, once per device
    await gpu.finish();
    gpu.free(warm);
    const before = gpu.counters();
    const a = gpu.upload(new Float32Array([1, 2, 3]), [3], 'f32', 'scratch', 'a'); // 1 allocation, 1 write
    const out = gpu.tensor([3], 'f32', 'scratch', 'out'); // 1 allocation
    gpu.zero(out); // 1 clear
    add(gpu, out, a, a); // 1 dispatch
    fill(gpu, a, 5, 3); // 1 dispatch
    expect(Array.from(await gpu.readF32(out))).toEqual([2, 4, 6]); // 1 readback (the shared staging buffer), 1 submit
    const d = diff(before, gpu.counters());
    gpu.free(a, out);
    expect(d).toEqual({ dispatches: 2, submits: 1, readbacks: 1, allocations: 2, bindGroups: 2, clears: 1, writes: 1 });
  });

  it('times every dispatch by program without changing results or counts', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(new Float32Array(4096).fill(1), [4096], 'f32', 'scratch', 'a');
    const out = gpu.tensor([4096], 'f32', 'scratch', 'out');
    await gpu.finish();
    const before = gpu.counters();
    const on = gpu.startProfile();
    expect(on).toBe(gpu.info.timestamps);
    for (let i = 0; i < 3; i++) add(gpu, out, a, a, i);
    fill(gpu, a, 2, 4096);
    const got = await gpu.readF32(out);
    const times = await gpu.stopProfile();
    const d = diff(before, gpu.counters());
    expect(got[4095]).toBe(3);
    // Profiling adds passes, not submits, readbacks or pool buffers.
    expect(d).toMatchObject({ dispatches: 4, submits: 1, readbacks: 1, allocations: 0 });
    if (on) {
      expect(times.get('add')?.dispatches).toBe(3);
      expect(times.get('fill')?.dispatches).toBe(1);
      for (const t of times.values()) expect(t.gpuSeconds).toBeGreaterThanOrEqual(0);
      expect([...times.values()].reduce((s, t) => s + t.gpuSeconds, 0)).toBeGreaterThan(0);
    } else {
      expect(times.size).toBe(0);
    }
    gpu.free(a, out);
  });
});
