import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { MEMORY_CATEGORIES } from '../settings/memory';
import { GpuProgramError } from './errors';
import { add, addProgram } from './kernels/add';
import type { ProgramSpec } from './program';

describe('Gpu runtime on Dawn', () => {
  it('reports the adapter and what it granted', async () => {
    const gpu = await testGpu();
    expect(gpu.info.host).toBe('node');
    expect(gpu.info.description.length).toBeGreaterThan(0);
    expect(gpu.info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(gpu.info.f16).toBe(gpu.device.features.has('shader-f16'));
  });

  it('reuses one pipeline per program key', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(new Float32Array([1, 2, 3]), [3], 'f32', 'scratch', 'a');
    const out = gpu.tensor([3], 'f32', 'scratch', 'out');
    add(gpu, out, a, a);
    const before = gpu.pipelineCount;
    add(gpu, out, a, a, 2);
    expect(gpu.pipelineCount).toBe(before);
    const bigger: ProgramSpec = { ...addProgram, workgroupSize: [64] };
    gpu.dispatch(bigger, { out, a, b: a }, { n: 3, alpha: 3 }, 1);
    expect(gpu.pipelineCount).toBe(before + 1);
    expect(Array.from(await gpu.readF32(out))).toEqual([4, 8, 12]);
    gpu.free(a, out);
  });

  it('keeps many dispatches of one flush apart (uniforms per dispatch)', async () => {
    const gpu = await testGpu();
    const one = gpu.upload(new Float32Array([1]), [1], 'f32', 'scratch', 'one');
    const outs = Array.from({ length: 300 }, (_, i) => gpu.tensor([1], 'f32', 'scratch', `out${i}`));
    outs.forEach((o, i) => add(gpu, o, one, one, i));
    const got = await Promise.all(outs.map((o) => gpu.readF32(o)));
    expect(got.map((g) => g[0])).toEqual(outs.map((_, i) => 1 + i));
    gpu.free(one, ...outs);
  });

  it('names the program in a compile error', async () => {
    const gpu = await testGpu();
    // Without binding "b" the body refers to an undeclared name.
    const broken: ProgramSpec = { ...addProgram, name: 'add_broken', bindings: addProgram.bindings.slice(0, 2) };
    await expect(gpu.compile(broken)).rejects.toThrow(/add_broken/);
  });

  it('refuses bindings the table does not declare', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(new Float32Array([1]), [1], 'f32', 'scratch', 'a');
    expect(() => gpu.dispatch(addProgram, { out: a, a, b: a, c: a }, { n: 1, alpha: 1 }, 1)).toThrow(/no binding "c"/);
    expect(() => gpu.dispatch(addProgram, { out: a, a }, { n: 1, alpha: 1 }, 1)).toThrow(/needs binding "b"/);
    expect(() => gpu.dispatch(addProgram, { out: a, a, b: a }, { n: 1 }, 1)).toThrow(/needs uniform "alpha"/);
    gpu.free(a);
  });

  it('turns a validation error into an error naming the program', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(new Float32Array([1]), [1], 'f32', 'scratch', 'a');
    // The same buffer bound as read_write and read in one dispatch is invalid in WebGPU.
    add(gpu, a, a, a);
    const err = await gpu.finish().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuProgramError);
    expect((err as GpuProgramError).report.programs).toContain('add');
    gpu.free(a);
  });
});

describe('slices and zeroing', () => {
  it('binds an aligned window of a tensor and zeroes in recording order', async () => {
    const gpu = await testGpu();
    const step = gpu.sliceAlignment('f32');
    const src = gpu.upload(new Float32Array(step * 2).map((_, i) => i), [step * 2], 'f32', 'scratch', 'src');
    const out = gpu.tensor([step], 'f32', 'scratch', 'out');
    add(gpu, out, gpu.slice(src, step, step), gpu.slice(src, 0, step), 0);
    const got = await gpu.readF32(out);
    expect(got[0]).toBe(step);
    expect(got[step - 1]).toBe(2 * step - 1);
    gpu.zero(out);
    expect(Array.from(await gpu.readF32(out)).every((v) => v === 0)).toBe(true);
    expect(() => gpu.slice(src, 1, 4)).not.toThrow();
    expect(() => gpu.dispatch(addProgram, { out, a: gpu.slice(src, 1, step), b: out }, { n: step, alpha: 1 }, 1)).toThrow(/not a multiple/);
    expect(() => gpu.slice(src, step, step * 2)).toThrow(/outside/);
    gpu.free(src, out);
  });
});

describe('buffer pool accounting', () => {
  it('returns to zero live bytes when every buffer is destroyed, with peaks kept', async () => {
    const gpu = await testGpu();
    await gpu.finish();
    const base = gpu.memory();
    const w = gpu.tensor([1000], 'f32', 'weights', 'w');
    const g = gpu.tensor([1000], 'f32', 'grads', 'g');
    const odd = gpu.tensor([3], 'f16', 'activations', 'odd');
    const during = gpu.memory();
    expect(during.live.weights - base.live.weights).toBe(4000);
    expect(during.live.grads - base.live.grads).toBe(4000);
    expect(during.live.activations - base.live.activations).toBe(8); // 3 halves pad to 2 words
    gpu.free(w, g, odd);
    const after = gpu.memory();
    for (const c of MEMORY_CATEGORIES) expect(after.live[c]).toBe(base.live[c]);
    expect(after.buffers).toBe(base.buffers);
    expect(after.peak.weights).toBeGreaterThanOrEqual(4000);
    expect(() => gpu.free(w)).toThrow(/not owned/);
  });

  it('leak check: a kernel run leaves no buffer behind except those it was given', async () => {
    const gpu = await testGpu();
    await gpu.finish();
    const before = gpu.memory();
    const a = gpu.upload(new Float32Array(4096).fill(1), [4096], 'f32', 'activations', 'a');
    const out = gpu.tensor([4096], 'f32', 'activations', 'out');
    add(gpu, out, a, a);
    await gpu.readF32(out);
    gpu.free(a, out);
    expect(gpu.memory().liveTotal - before.liveTotal, gpu.pool.liveLabels().join('\n')).toBe(0);
  });

  it('leak check can fail: a buffer not destroyed is found and named', async () => {
    const gpu = await testGpu();
    const before = gpu.memory().liveTotal;
    const forgotten = gpu.tensor([16], 'f32', 'scratch', 'forgotten');
    expect(gpu.memory().liveTotal - before).toBe(64);
    expect(gpu.pool.liveLabels()).toContain('scratch:forgotten (64 B)');
    gpu.free(forgotten);
  });
});
