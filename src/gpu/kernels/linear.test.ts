import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { linearBackward, linearForward } from './linear';
import { linearBackwardRef, linearForwardRef } from './linear.ref';
import { MATMUL_VARIANTS } from './matmul';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const N = 13, C = 24, OC = 20;

describe('linear on Dawn (HF layout W (OC, C))', () => {
  for (const variant of [undefined, ...MATMUL_VARIANTS.filter((v) => !v.startsWith('reg4'))]) {
    it(`forward and backward match float64 (${variant ?? 'default variant'})`, async () => {
      const gpu = await testGpu();
      const inpH = randomFloats(N * C, 1);
      const wH = randomFloats(OC * C, 2);
      const doutH = randomFloats(N * OC, 3);
      const dwOld = randomFloats(OC * C, 4);
      const inp = gpu.upload(inpH, [N, C], 'f32', 'scratch', 'inp');
      const w = gpu.upload(wH, [OC, C], 'f32', 'scratch', 'weight');
      const dout = gpu.upload(doutH, [N, OC], 'f32', 'scratch', 'dout');
      const out = gpu.tensor([N, OC], 'f32', 'scratch', 'out');
      const dinp = gpu.tensor([N, C], 'f32', 'scratch', 'dinp');
      const dw = gpu.upload(dwOld, [OC, C], 'f32', 'scratch', 'dweight');
      linearForward(gpu, out, inp, w, N, C, OC, { variant });
      linearBackward(gpu, dinp, dw, dout, inp, w, N, C, OC, { variant });
      const [gOut, gDinp, gDw] = [await gpu.readF32(out), await gpu.readF32(dinp), await gpu.readF32(dw)];
      const ref = linearBackwardRef(doutH, inpH, wH, N, C, OC);
      expect(closeness(gOut, linearForwardRef(inpH, wH, N, C, OC), TOL)).toBeNull();
      expect(closeness(gDinp, ref.dinp, TOL)).toBeNull();
      // dweight accumulates onto what was there.
      expect(closeness(gDw, ref.dweight.map((v, i) => v + dwOld[i]), TOL)).toBeNull();
      gpu.free(inp, w, dout, out, dinp, dw);
    });
  }

  it('alpha, accumulate flags, and null gradients', async () => {
    const gpu = await testGpu();
    const inpH = randomFloats(N * C, 5);
    const wH = randomFloats(OC * C, 6);
    const doutH = randomFloats(N * OC, 7);
    const oldOut = randomFloats(N * OC, 8);
    const oldDinp = randomFloats(N * C, 9);
    const inp = gpu.upload(inpH, [N, C], 'f32', 'scratch', 'inp');
    const w = gpu.upload(wH, [OC, C], 'f32', 'scratch', 'weight');
    const dout = gpu.upload(doutH, [N, OC], 'f32', 'scratch', 'dout');
    const out = gpu.upload(oldOut, [N, OC], 'f32', 'scratch', 'out');
    const dinp = gpu.upload(oldDinp, [N, C], 'f32', 'scratch', 'dinp');
    linearForward(gpu, out, inp, w, N, C, OC, { accumulate: true, alpha: 0.5 });
    linearBackward(gpu, dinp, null, dout, inp, w, N, C, OC, { accumulateInput: true, alpha: 2 });
    const fwd = linearForwardRef(inpH, wH, N, C, OC);
    const ref = linearBackwardRef(doutH, inpH, wH, N, C, OC);
    expect(closeness(await gpu.readF32(out), fwd.map((v, i) => oldOut[i] + 0.5 * v), TOL)).toBeNull();
    expect(closeness(await gpu.readF32(dinp), ref.dinp.map((v, i) => oldDinp[i] + 2 * v), TOL)).toBeNull();
    gpu.free(inp, w, dout, out, dinp);
  });
});
