import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu';
import { adamwStep, type AdamWHyper } from '../gpu/kernels/adamw';
import { adamwStepRef, type AdamWState } from '../gpu/kernels/adamw.ref';
import { globalNormRef } from '../gpu/kernels/grad-norm.ref';
import { closeness, randomFloats, testGpu } from '../testing/gpu';
import { denseParam, PACK_ARENA_BYTES, ParameterStore } from '../model/parameters';
import { AdamW, type AdamWConfig } from './optimizer';

// Awkward sizes, decayed and undecayed interleaved: packing reorders them, AdamW must not care.
const SHAPES: { name: string; shape: number[] }[] = [
  { name: 'encoder.block.0.layer.0.SelfAttention.q.weight', shape: [8, 12] },
  { name: 'encoder.block.0.layer.0.layer_norm.weight', shape: [12] },
  { name: 'encoder.block.0.layer.1.DenseReluDense.wi.weight', shape: [70, 33] },
  { name: 'decoder.final_layer_norm.weight', shape: [1] },
  { name: 'lm_head.weight', shape: [5, 3] },
  { name: 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', shape: [32, 4] },
];

function makeStore(gpu: Gpu, seed: number): ParameterStore {
  const store = new ParameterStore(gpu);
  SHAPES.forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const p = denseParam(name, shape, 'linear', gpu.upload(randomFloats(n, seed + i), [n], 'f32', 'weights', name), !name.includes('norm') && !name.includes('bias'));
    store.add(p);
    store.enableGrad(p);
  });
  return store;
}

const grads = (step: number) => SHAPES.map(({ shape }, i) => randomFloats(shape.reduce((a, b) => a * b, 1), 100 * step + i, -2, 2));

const CONFIG: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0 };

describe('AdamW over packed parameters on Dawn', () => {
  it('updates every parameter bit for bit as the per-tensor kernel, in one dispatch per arena', async () => {
    const gpu = await testGpu();
    // 10240 bytes: the decayed parameters fill one arena, the undecayed ones a second.
    for (const arenaBytes of [undefined, 10240]) {
      const store = makeStore(gpu, 1);
      const opt = new AdamW(gpu, store, CONFIG, arenaBytes);
      const arenas = arenaBytes ? 2 : 1;
      // Per-tensor state from the same start.
      const ref = await Promise.all(store.trainable().map(async (p) => ({ p, value: gpu.upload(await gpu.readF32(p.value), [p.value.size], 'f32', 'scratch', 'ref'), m: gpu.tensor([p.value.size], 'f32', 'scratch', 'm'), v: gpu.tensor([p.value.size], 'f32', 'scratch', 'v') })));
      for (const r of ref) gpu.zero(r.m), gpu.zero(r.v);
      const one = gpu.upload(new Float32Array([1]), [1], 'f32', 'scratch', 'one');
      for (let step = 1; step <= 2; step++) {
        const g = grads(step);
        store.zeroGrads();
        store.trainable().forEach((p) => gpu.write(p.grad!, g[SHAPES.findIndex((s) => s.name === p.name)]));
        const before = gpu.counters();
        opt.apply();
        const after = gpu.counters();
        // Sum of squares (one pass: an arena under 4096 elements) and AdamW per arena, not per tensor; the clip scale.
        expect(after.dispatches - before.dispatches).toBe(2 * arenas + 1);
        for (const r of ref) {
          const grad = gpu.upload(g[SHAPES.findIndex((s) => s.name === r.p.name)], [r.p.value.size], 'f32', 'scratch', 'g');
          const h: AdamWHyper = { ...CONFIG, weightDecay: r.p.decay ? CONFIG.weightDecay : 0, step };
          adamwStep(gpu, r.value, r.m, r.v, grad, one, r.p.value.size, h);
          gpu.free(grad);
        }
        for (const r of ref) expect(Array.from(await gpu.readF32(r.p.value)), `${r.p.name} step ${step}`).toEqual(Array.from(await gpu.readF32(r.value)));
      }
      const state = await opt.readState();
      for (const r of ref) {
        expect(Array.from(state.tensors.get(`${r.p.name}.exp_avg`)!)).toEqual(Array.from(await gpu.readF32(r.m)));
        expect(Array.from(state.tensors.get(`${r.p.name}.exp_avg_sq`)!)).toEqual(Array.from(await gpu.readF32(r.v)));
      }
      const clears = gpu.counters().clears;
      store.zeroGrads();
      expect(gpu.counters().clears - clears).toBe(arenas);
      for (const p of store.trainable()) expect((await gpu.readF32(p.grad!)).every((x) => x === 0)).toBe(true);
      gpu.free(one, ...ref.flatMap((r) => [r.value, r.m, r.v]));
      opt.free();
      store.free();
    }
  });

  it('clips by the global norm of every gradient, as the float64 reference', async () => {
    const gpu = await testGpu();
    const store = makeStore(gpu, 7);
    const config = { ...CONFIG, maxGradNorm: 0.5 };
    const opt = new AdamW(gpu, store, config, 10240);
    const g = grads(3);
    const byName = new Map(SHAPES.map((s, i) => [s.name, g[i]]));
    const start = new Map<string, AdamWState>();
    for (const p of store.trainable()) {
      start.set(p.name, { param: Float64Array.from(await gpu.readF32(p.value)), m: new Float64Array(p.value.size), v: new Float64Array(p.value.size) });
      gpu.write(p.grad!, byName.get(p.name)!);
    }
    opt.apply();
    const norm = globalNormRef(g);
    expect(closeness([await opt.gradNorm()], [norm], { rtol: 1e-5 })).toBeNull();
    const scale = Math.fround(0.5 / (Math.fround(norm) + 1e-6));
    for (const p of store.trainable()) {
      const want = adamwStepRef(start.get(p.name)!, byName.get(p.name)!, scale, { ...config, weightDecay: p.decay ? config.weightDecay : 0, step: 1 });
      expect(closeness(await gpu.readF32(p.value), want.param, { rtol: 1e-5, atol: 1e-6 }), p.name).toBeNull();
    }
    opt.free();
    store.free();
  });

  it('keeps the memory ledger by category and restores moments into a fresh optimizer', async () => {
    const gpu = await testGpu();
    const live = () => gpu.memory().live;
    const start = live();
    const store = makeStore(gpu, 11);
    const elements = SHAPES.reduce((s, { shape }) => s + shape.reduce((a, b) => a * b, 1), 0);
    const opt = new AdamW(gpu, store, CONFIG, 10240);
    const packed = live();
    // Values and grads in arenas of their categories (no per-parameter buffers left), moments twice that.
    expect(packed.weights - start.weights).toBe(packed.grads - start.grads);
    expect(packed.grads - start.grads).toBeGreaterThanOrEqual(4 * elements);
    expect(packed.grads - start.grads).toBeLessThan(4 * elements + SHAPES.length * 256);
    expect(packed.optimizer - start.optimizer).toBe(2 * (packed.grads - start.grads));
    store.trainable().forEach((p) => gpu.write(p.grad!, grads(1)[SHAPES.findIndex((s) => s.name === p.name)]));
    opt.apply();
    const saved = await opt.readState();
    const values = new Map(await Promise.all(store.trainable().map(async (p) => [p.name, await gpu.readF32(p.value)] as const)));

    const store2 = makeStore(gpu, 11);
    const opt2 = new AdamW(gpu, store2, CONFIG);
    for (const p of store2.trainable()) gpu.write(p.value, values.get(p.name)!);
    opt2.writeState(saved.step, saved.tensors);
    const missing = new Map(saved.tensors);
    missing.delete(`${SHAPES[2].name}.exp_avg`);
    expect(() => opt2.writeState(1, missing, 'state.safetensors')).toThrow(`state.safetensors: no ${SHAPES[2].name}.exp_avg`);
    for (const [s, o] of [[store, opt], [store2, opt2]] as const) {
      s.trainable().forEach((p) => gpu.write(p.grad!, grads(2)[SHAPES.findIndex((x) => x.name === p.name)]));
      o.apply();
    }
    for (const p of store.trainable()) expect(Array.from(await gpu.readF32(store2.dense(p.name).value)), p.name).toEqual(Array.from(await gpu.readF32(p.value)));
    opt.free();
    store.free();
    opt2.free();
    store2.free();
    expect(live()).toEqual(start);
  });
});

describe('packing a model larger than one arena', () => {
  it('uses arenas of at most PACK_ARENA_BYTES, so packing holds one more arena and not a second copy of the model', async () => {
    const gpu = await testGpu();
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBeGreaterThan(PACK_ARENA_BYTES); // else the cap is moot here
    const store = new ParameterStore(gpu);
    const n = 12 * 2 ** 20; // 48 MiB each: three do not fit one 128 MiB arena
    for (let i = 0; i < 3; i++) {
      const p = denseParam(`encoder.block.${i}.layer.1.DenseReluDense.wi.weight`, [n], 'linear', gpu.tensor([n], 'f32', 'weights', `w${i}`), true);
      store.add(p);
      store.enableGrad(p);
    }
    gpu.pool.resetPeak();
    const before = gpu.memory().live;
    const arenas = store.packTrainable();
    const { live, peak } = gpu.memory();
    expect(arenas.length).toBe(2);
    for (const a of arenas) expect(a.size * 4).toBeLessThanOrEqual(PACK_ARENA_BYTES);
    expect(live.weights).toBeLessThanOrEqual(before.weights + 2 * 256); // the same bytes, give or take alignment
    expect(peak.weights - before.weights).toBeLessThanOrEqual(PACK_ARENA_BYTES);
    expect(peak.grads - before.grads).toBeLessThanOrEqual(PACK_ARENA_BYTES);
    for (const a of arenas) gpu.free(...a.params.map((e) => e.param.value), ...a.params.map((e) => e.param.grad), a.values, a.grads);
  });
});
