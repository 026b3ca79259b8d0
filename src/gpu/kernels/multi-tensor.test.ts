import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import type { Gpu } from '../gpu';
import { assembleWgsl } from '../program';
import type { Tensor } from '../tensor';
import { adamwStep, type AdamWHyper } from './adamw';
import type { AdamWState } from './adamw.ref';
import {
  adamwTensorsPerDispatch, groupAdamwTensors, multiAdamwProgram, multiAdamwStep, sumOfSquaresMulti, sumsqPartials, type AdamwTensor,
} from './multi-tensor';
import { multiAdamwStepRef, sumOfSquaresRef } from './multi-tensor.ref';

interface GoldenStep { step: number; grad: number[]; gradScale: number; param: number[]; m: number[]; v: number[] }
interface GoldenCase { name: string; n: number; hyper: Omit<AdamWHyper, 'step'>; param0: number[]; steps: GoldenStep[] }
// Produced by tools/adamw_reference.py with torch.optim.AdamW (torch 1.13).
const golden = JSON.parse(readFileSync(new URL('../../../fixtures/kernels/adamw.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const TOL = { rtol: 1e-5, atol: 1e-7 };

const upload = (gpu: Gpu, x: ArrayLike<number>, label: string) => gpu.upload(Float32Array.from(x), [x.length], 'f32', 'scratch', label);

describe('multi-tensor kernels: program expansion', () => {
  it('writes the //@each block once per tensor and refuses a stray @K', () => {
    const body = 'fn main() {\n  //@each\n  let a_@K = x_@K[0];\n  //@end\n}\n';
    const wgsl = assembleWgsl({ ...multiAdamwProgram(3), shader: 't' }, body);
    expect(wgsl).toContain('let a_0 = x_0[0];');
    expect(wgsl).toContain('let a_2 = x_2[0];');
    expect(wgsl).not.toContain('a_3');
    expect(() => assembleWgsl({ ...multiAdamwProgram(2), shader: 't' }, 'let b = y_@K;')).toThrow(/@K outside an \/\/@each/);
    expect(() => assembleWgsl({ name: 'p', shader: 't', workgroupSize: [1], bindings: [] }, body)).toThrow(/sets no repeat count/);
  });
});

describe('multi-tensor AdamW on Dawn', () => {
  for (const c of golden.cases) {
    it(`matches torch.optim.AdamW in a group with other tensors: ${c.name}`, async () => {
      const gpu = await testGpu();
      // The golden tensor sits between two others (one decaying, one not) so the group walk crosses tensors.
      const extra = [randomFloats(257, 5), randomFloats(3, 6)];
      const params = [upload(gpu, extra[0], 'p0'), upload(gpu, c.param0, 'golden'), upload(gpu, extra[1], 'p2')];
      const decay = [true, c.hyper.weightDecay > 0, false];
      const sizes = params.map((p) => p.size);
      const grads = sizes.map((n, k) => gpu.tensor([n], 'f32', 'scratch', `g${k}`));
      const tensors: AdamwTensor[] = params.map((param, k) => ({ param, grad: grads[k], decay: decay[k] }));
      const [group] = groupAdamwTensors(tensors, 3, 1 << 30);
      const m = gpu.tensor([group.size], 'f32', 'optimizer', 'm');
      const v = gpu.tensor([group.size], 'f32', 'optimizer', 'v');
      gpu.zero(m);
      gpu.zero(v);
      let ref: AdamWState[] = [...extra.slice(0, 1), c.param0, extra[1]].map((p) => ({ param: Float64Array.from(p), m: new Float64Array(p.length), v: new Float64Array(p.length) }));
      for (const s of c.steps) {
        const h: AdamWHyper = { ...c.hyper, weightDecay: c.hyper.weightDecay || 0.05, step: s.step };
        const g = [randomFloats(257, 10 + s.step), Float32Array.from(s.grad), randomFloats(3, 20 + s.step)];
        g.forEach((x, k) => gpu.write(grads[k], x));
        const scale = upload(gpu, [s.gradScale], 'clip');
        multiAdamwStep(gpu, group, m, v, scale, h);
        ref = multiAdamwStepRef(ref, g, decay, Math.fround(s.gradScale), h);
        const [gp, gm, gv] = [await gpu.readF32(params[1]), await gpu.readF32(m), await gpu.readF32(v)];
        gpu.free(scale);
        const at = `step ${s.step}`;
        const mine = (x: Float32Array) => x.slice(group.starts[1], group.starts[1] + c.n);
        expect(closeness(gp, s.param, TOL), `param vs torch, ${at}`).toBeNull();
        expect(closeness(mine(gm), s.m, TOL), `m vs torch, ${at}`).toBeNull();
        expect(closeness(mine(gv), s.v, { rtol: 1e-5, atol: 1e-12 }), `v vs torch, ${at}`).toBeNull();
        for (const k of [0, 2]) expect(closeness(await gpu.readF32(params[k]), ref[k].param, TOL), `tensor ${k}, ${at}`).toBeNull();
      }
      gpu.free(...params, ...grads, m, v);
    });
  }

  it('gives the per-tensor kernel\'s bits, grouping by the device\'s binding limit and by bytes', async () => {
    const gpu = await testGpu();
    const sizes = [1, 300, 70_001, 64, 5, 129, 2, 1000, 33];
    const h: AdamWHyper = { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 4 };
    const data = sizes.map((n, k) => ({ p: randomFloats(n, 100 + k), m: randomFloats(n, 200 + k, -0.1, 0.1), v: randomFloats(n, 300 + k, 0, 0.01), g: randomFloats(n, 400 + k, -2, 2) }));
    const scale = upload(gpu, [0.7], 'clip');
    // Per tensor, as the optimizer did before.
    const want: Float32Array[][] = [];
    for (const [k, d] of data.entries()) {
      const [p, m, v, g] = [d.p, d.m, d.v, d.g].map((x, i) => upload(gpu, x, `one${k}.${i}`));
      adamwStep(gpu, p, m, v, g, scale, sizes[k], k % 3 === 0 ? { ...h, weightDecay: 0 } : h);
      want.push([await gpu.readF32(p), await gpu.readF32(m), await gpu.readF32(v)]);
      gpu.free(p, m, v, g);
    }
    const perDispatch = adamwTensorsPerDispatch(gpu);
    const params = data.map((d, k) => upload(gpu, d.p, `p${k}`));
    const grads = data.map((d, k) => upload(gpu, d.g, `g${k}`));
    const tensors = params.map((param, k) => ({ param, grad: grads[k], decay: k % 3 !== 0 }));
    // A byte cap that splits the big tensor's neighbours off, as maxStorageBufferBindingSize would.
    const groups = groupAdamwTensors(tensors, perDispatch, 4 * 70_100);
    expect(groups.every((g) => g.tensors.length <= perDispatch && g.size * 4 <= 4 * 70_100)).toBe(true);
    expect(groups.flatMap((g) => g.tensors)).toEqual(tensors);
    const before = gpu.counters().dispatches;
    const moments: Tensor[][] = [];
    for (const g of groups) {
      const cat = (f: 'm' | 'v') => {
        const out = new Float32Array(g.size);
        g.tensors.forEach((t, i) => out.set(data[tensors.indexOf(t)][f], g.starts[i]));
        return upload(gpu, out, `${f}-group`);
      };
      const [m, v] = [cat('m'), cat('v')];
      multiAdamwStep(gpu, g, m, v, scale, h);
      moments.push([m, v]);
    }
    expect(gpu.counters().dispatches - before).toBe(groups.length);
    for (const [gi, g] of groups.entries()) {
      const [m, v] = [await gpu.readF32(moments[gi][0]), await gpu.readF32(moments[gi][1])];
      for (const [i, t] of g.tensors.entries()) {
        const k = tensors.indexOf(t);
        const n = sizes[k];
        expect(Array.from(await gpu.readF32(t.param)), `param ${k}`).toEqual(Array.from(want[k][0]));
        expect(Array.from(m.slice(g.starts[i], g.starts[i] + n)), `m ${k}`).toEqual(Array.from(want[k][1]));
        expect(Array.from(v.slice(g.starts[i], g.starts[i] + n)), `v ${k}`).toEqual(Array.from(want[k][2]));
      }
      gpu.free(...moments[gi]);
    }
    expect(() => groupAdamwTensors(tensors, 4, 100)).toThrow(/"p1" \(300 elements\) is larger than one binding/);
    expect(() => multiAdamwStep(gpu, { tensors: [tensors[1], tensors[1]], starts: [0, 300], size: 600 }, gpu.tensor([600], 'f32', 'scratch', 'mm'), gpu.tensor([600], 'f32', 'scratch', 'vv'), scale, h))
      .toThrow(/"p1" shares its buffer/);
    gpu.free(...params, ...grads, scale);
  });
});

describe('multi-tensor sum of squares on Dawn', () => {
  it('matches the float64 sum over many tensors in a few dispatches, overwriting', async () => {
    const gpu = await testGpu();
    const sizes = [1, 4096, 70_001, 3, 257, 64, 1, 9999, 2, 5, 100_000, 7];
    const xs = sizes.map((n, k) => randomFloats(n, 500 + k, -3, 3));
    const tensors = xs.map((x, k) => upload(gpu, x, `x${k}`));
    const sumsq = upload(gpu, [123], 'sumsq');
    for (const perDispatch of [1, 3, 8]) {
      const partials = gpu.tensor([sumsqPartials(sizes, perDispatch)], 'f32', 'scratch', 'partials');
      const before = gpu.counters().dispatches;
      sumOfSquaresMulti(gpu, sumsq, tensors, partials, perDispatch);
      const dispatches = gpu.counters().dispatches - before;
      const got = (await gpu.readF32(sumsq))[0];
      expect(dispatches, `per dispatch ${perDispatch}`).toBeLessThanOrEqual(Math.ceil(sizes.length / perDispatch) + 2);
      expect(closeness([got], [sumOfSquaresRef(xs)], { rtol: 1e-5 }), `per dispatch ${perDispatch}`).toBeNull();
      gpu.free(partials);
    }
    const short = gpu.tensor([1], 'f32', 'scratch', 'short');
    expect(() => sumOfSquaresMulti(gpu, sumsq, tensors, short, 8)).toThrow(/partials "short"/);
    gpu.free(short, sumsq, ...tensors);
  });
});
