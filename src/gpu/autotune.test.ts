import 'fake-indexeddb/auto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdbAutotuneStore } from '../hosts/browser/autotune-store';
import { FileAutotuneStore } from '../hosts/node/autotune-store';
import { closeness, randomFloats, testGpu } from '../testing/gpu';
import { adapterKey, Autotuner, autotunerFor, createAutotuner, setAutotuner } from './autotune';
import { MemoryAutotuneStore, type AutotuneStore } from './autotune-store';
import { defaultVariant, matmul, MATMUL_VARIANTS } from './kernels/matmul';
import { matmulRef } from './kernels/matmul.ref';

const fakeTimes: Record<string, number> = { slow: 3, fast: 1, medium: 2 };
const trial = async (c: string) => fakeTimes[c];

describe('Autotuner', () => {
  it('answers the fallback at once, queues the shape, then keeps the fastest and saves it', async () => {
    const store = new MemoryAutotuneStore();
    const t = new Autotuner('adapter-x', { store, trials: true });
    await t.load();
    expect(t.pick('op', 'shape', ['slow', 'fast', 'medium'], 'slow', trial)).toBe('slow');
    expect(t.pendingCount).toBe(1);
    const done = await t.tunePending();
    expect(done[0].chosen).toBe('fast');
    expect(t.pick('op', 'shape', ['slow', 'fast', 'medium'], 'slow', trial)).toBe('fast');
    expect(await store.load('adapter-x')).toEqual({ 'op|shape': 'fast' });

    const again = new Autotuner('adapter-x', { store, trials: true });
    await again.load();
    expect(again.pick('op', 'shape', ['slow', 'fast'], 'slow', trial)).toBe('fast');
    // A saved choice that is no longer a candidate is ignored.
    expect(again.pick('op', 'shape', ['slow', 'medium'], 'medium', trial)).toBe('medium');
    expect(await new Autotuner('adapter-y', { store }).choose('op', 'shape', ['medium', 'slow'], trial)).toBe('medium');
  });

  it('without trials never queues work', () => {
    const t = new Autotuner('a');
    expect(t.pick('op', 's', ['slow', 'fast'], 'slow', trial)).toBe('slow');
    expect(t.pendingCount).toBe(0);
  });

  async function roundTrip(store: AutotuneStore): Promise<void> {
    expect(await store.load('k')).toBeNull();
    await store.save('k', { 'matmul|nn': 'reg-4x4' });
    await store.save('other', { 'matmul|nn': 'tiled-64x64' });
    expect(await store.load('k')).toEqual({ 'matmul|nn': 'reg-4x4' });
  }

  it('persists to a JSON file per adapter (Node)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autotune-'));
    try {
      await roundTrip(new FileAutotuneStore(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('persists to IndexedDB (browser store, on fake-indexeddb)', async () => {
    const store = new IdbAutotuneStore('autotune-test');
    await roundTrip(store);
    await store.close();
  });
});

describe('matmul with a real autotuner on Dawn', () => {
  it('defaults without trials, then tunes on the queued shape and stays correct', async () => {
    const gpu = await testGpu();
    expect(autotunerFor(gpu).trials).toBe(false);
    expect(adapterKey(gpu.info)).toMatch(/^[a-z0-9.-]+$/);
    const tuner = await createAutotuner(gpu, new MemoryAutotuneStore());
    const dims = { M: 24, N: 16, K: 12 };
    const aH = randomFloats(24 * 12, 1);
    const bH = randomFloats(12 * 16, 2);
    const a = gpu.upload(aH, [24, 12], 'f32', 'scratch', 'a');
    const b = gpu.upload(bH, [12, 16], 'f32', 'scratch', 'b');
    const out = gpu.tensor([24, 16], 'f32', 'scratch', 'out');
    matmul(gpu, out, a, b, dims);
    expect(tuner.pendingCount).toBe(1);
    const buffersBefore = gpu.memory().buffers;
    const [result] = await tuner.tunePending();
    expect(gpu.memory().buffers).toBe(buffersBefore); // trial tensors are freed
    expect(Object.keys(result.seconds).sort()).toEqual([...MATMUL_VARIANTS].sort());
    expect(MATMUL_VARIANTS).toContain(result.chosen);
    matmul(gpu, out, a, b, dims);
    expect(tuner.pendingCount).toBe(0);
    expect(closeness(await gpu.readF32(out), matmulRef(aH, bH, dims), { rtol: 1e-4, atol: 1e-5 })).toBeNull();
    gpu.free(a, b, out);
    setAutotuner(gpu, new Autotuner(tuner.adapterKey)); // back to defaults for later tests in this file
  });

  it('picks register blocking on SwiftShader by default and tiling elsewhere', async () => {
    const gpu = await testGpu();
    const fake = { ...gpu, info: { ...gpu.info, isFallbackAdapter: false, description: 'NVIDIA', architecture: 'ampere', vendor: 'nvidia', device: '' } };
    expect(defaultVariant(fake as typeof gpu, MATMUL_VARIANTS)).toBe('tiled-64x64');
    if (gpu.info.isFallbackAdapter) expect(defaultVariant(gpu, MATMUL_VARIANTS)).toMatch(/^reg/);
  });
});
