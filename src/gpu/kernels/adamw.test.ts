import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { adamwStep, type AdamWHyper } from './adamw';
import { adamwStepRef, type AdamWState } from './adamw.ref';

interface GoldenStep {
  step: number;
  grad: number[];
  gradScale: number;
  param: number[];
  m: number[];
  v: number[];
}
interface GoldenCase {
  name: string;
  n: number;
  hyper: Omit<AdamWHyper, 'step'>;
  param0: number[];
  steps: GoldenStep[];
}

// Produced by tools/adamw_reference.py with torch.optim.AdamW (torch 1.13).
const golden = JSON.parse(readFileSync(new URL('../../../fixtures/kernels/adamw.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

const TOL = { rtol: 1e-5, atol: 1e-7 };

describe('AdamW step on Dawn', () => {
  for (const c of golden.cases) {
    it(`matches torch.optim.AdamW and the float64 reference: ${c.name}`, async () => {
      const gpu = await testGpu();
      const param = gpu.upload(Float32Array.from(c.param0), [c.n], 'f32', 'weights', 'param');
      const m = gpu.tensor([c.n], 'f32', 'optimizer', 'm');
      const v = gpu.tensor([c.n], 'f32', 'optimizer', 'v');
      gpu.zero(m);
      gpu.zero(v);
      let ref: AdamWState = { param: Float64Array.from(c.param0), m: new Float64Array(c.n), v: new Float64Array(c.n) };
      for (const s of c.steps) {
        const h: AdamWHyper = { ...c.hyper, step: s.step };
        const grad = gpu.upload(Float32Array.from(s.grad), [c.n], 'f32', 'grads', 'grad');
        const scale = gpu.upload(new Float32Array([s.gradScale]), [1], 'f32', 'scratch', 'clip');
        adamwStep(gpu, param, m, v, grad, scale, c.n, h);
        ref = adamwStepRef(ref, Float32Array.from(s.grad), s.gradScale, h);
        const [gp, gm, gv] = [await gpu.readF32(param), await gpu.readF32(m), await gpu.readF32(v)];
        gpu.free(grad, scale);
        const at = `step ${s.step}`;
        expect(closeness(gp, s.param, TOL), `GPU param vs torch, ${at}`).toBeNull();
        expect(closeness(gm, s.m, TOL), `GPU m vs torch, ${at}`).toBeNull();
        expect(closeness(gv, s.v, { rtol: 1e-5, atol: 1e-12 }), `GPU v vs torch, ${at}`).toBeNull();
        expect(closeness(ref.param, s.param, TOL), `CPU param vs torch, ${at}`).toBeNull();
        expect(closeness(ref.v, s.v, { rtol: 1e-5, atol: 1e-12 }), `CPU v vs torch, ${at}`).toBeNull();
      }
      gpu.free(param, m, v);
    });
  }

  it('matches the reference mid-run on 70001 elements (step 7, clip 0.3)', async () => {
    const gpu = await testGpu();
    const n = 70_001;
    const h: AdamWHyper = { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 7 };
    const p0 = randomFloats(n, 21);
    const m0 = randomFloats(n, 22, -0.1, 0.1);
    const v0 = randomFloats(n, 23, 0, 0.01);
    const g = randomFloats(n, 24, -2, 2);
    const [tp, tm, tv, tg] = [p0, m0, v0, g].map((x, i) => gpu.upload(x, [n], 'f32', 'scratch', `t${i}`));
    const scale = gpu.upload(new Float32Array([0.3]), [1], 'f32', 'scratch', 'clip');
    adamwStep(gpu, tp, tm, tv, tg, scale, n, h);
    const ref = adamwStepRef({ param: Float64Array.from(p0), m: Float64Array.from(m0), v: Float64Array.from(v0) }, g, Math.fround(0.3), h);
    const [gp, gm, gv] = [await gpu.readF32(tp), await gpu.readF32(tm), await gpu.readF32(tv)];
    gpu.free(tp, tm, tv, tg, scale);
    expect(closeness(gp, ref.param, TOL)).toBeNull();
    expect(closeness(gm, ref.m, TOL)).toBeNull();
    expect(closeness(gv, ref.v, { rtol: 1e-5, atol: 1e-12 })).toBeNull();
  });

  it('decays only elements before decayEnd, bit for bit as two per-tensor steps', async () => {
    const gpu = await testGpu();
    const [nd, nu] = [300, 77];
    const n = nd + nu;
    const h: AdamWHyper = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.25, step: 3 };
    const [p0, m0, v0, g] = [randomFloats(n, 31), randomFloats(n, 32, -0.1, 0.1), randomFloats(n, 33, 0, 0.01), randomFloats(n, 34)];
    const scale = gpu.upload(new Float32Array([0.7]), [1], 'f32', 'scratch', 'clip');
    const whole = [p0, m0, v0, g].map((x, i) => gpu.upload(x, [n], 'f32', 'scratch', `whole${i}`));
    adamwStep(gpu, whole[0], whole[1], whole[2], whole[3], scale, n, h, nd);
    const part = (lo: number, hi: number, decay: boolean) => {
      const ts = [p0, m0, v0, g].map((x, i) => gpu.upload(x.slice(lo, hi), [hi - lo], 'f32', 'scratch', `part${i}`));
      adamwStep(gpu, ts[0], ts[1], ts[2], ts[3], scale, hi - lo, decay ? h : { ...h, weightDecay: 0 });
      return ts;
    };
    const [decayed, undecayed] = [part(0, nd, true), part(nd, n, false)];
    for (let k = 0; k < 3; k++) {
      const got = await gpu.readF32(whole[k]);
      const want = [...(await gpu.readF32(decayed[k])), ...(await gpu.readF32(undecayed[k]))];
      expect(Array.from(got), ['param', 'm', 'v'][k]).toEqual(want);
    }
    expect(() => adamwStep(gpu, whole[0], whole[1], whole[2], whole[3], scale, n, h, n + 1)).toThrow(/decayEnd must be an integer in \[0, n = 377\], got 378/);
    gpu.free(scale, ...whole, ...decayed, ...undecayed);
  });

  it('keeps a NaN gradient to its own element', async () => {
    const gpu = await testGpu();
    const h: AdamWHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    const p = gpu.upload(new Float32Array([1, 2, 3]), [3], 'f32', 'scratch', 'p');
    const m = gpu.upload(new Float32Array(3), [3], 'f32', 'scratch', 'm');
    const v = gpu.upload(new Float32Array(3), [3], 'f32', 'scratch', 'v');
    const g = gpu.upload(new Float32Array([0.5, NaN, -0.5]), [3], 'f32', 'scratch', 'g');
    const s = gpu.upload(new Float32Array([1]), [1], 'f32', 'scratch', 's');
    adamwStep(gpu, p, m, v, g, s, 3, h);
    const got = await gpu.readF32(p);
    gpu.free(p, m, v, g, s);
    expect(Number.isNaN(got[1])).toBe(true);
    // Step 1 moves every element by lr * sign(g) (bias correction cancels), up to eps.
    expect(closeness([got[0], got[2]], [1 - 1e-3, 3 + 1e-3], { rtol: 1e-6 })).toBeNull();
  });

  it('rejects bad hyperparameters, short tensors and aliased state', async () => {
    const gpu = await testGpu();
    const t = (label: string, n = 4) => gpu.tensor([n], 'f32', 'scratch', label);
    const [p, m, v, g, s] = [t('p'), t('m'), t('v'), t('g'), t('s', 1)];
    const h: AdamWHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    expect(() => adamwStep(gpu, p, m, v, g, s, 4, { ...h, step: 0 })).toThrow(/step must be an integer >= 1/);
    expect(() => adamwStep(gpu, p, m, v, g, s, 4, { ...h, beta2: 1 })).toThrow(/beta2/);
    expect(() => adamwStep(gpu, p, m, v, g, s, 5, h)).toThrow(/param "p" \(4\) has 4 elements, needs 5/);
    expect(() => adamwStep(gpu, p, m, m, g, s, 4, h)).toThrow(/v "m" \(4\) shares its buffer with m/);
    gpu.free(p, m, v, g, s);
  });
});
