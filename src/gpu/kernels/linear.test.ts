import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { linearBackward, linearForward } from './linear';
import { linearBackwardRef, linearForwardRef } from './linear.ref';
import { MATMUL_VARIANTS } from './matmul';
import { add } from './add';
import { dropoutBackward, dropoutForward } from './dropout';
import { dropoutRef } from './dropout.ref';
import { axpy } from './elementwise';

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

describe('linear with dropout fused into its matmuls', () => {
  const o = { p: 0.2, seed: 77, stream: 4321 };
  // One variant throughout: a load-side dropout would otherwise default to tiles, which sum in another order.
  const v = { variant: 'reg-4x4' };

  it('input dropout (LoRA) and output dropout + residual (sub-layer) equal the separate kernels bit for bit', async () => {
    const gpu = await testGpu();
    const inpH = randomFloats(N * C, 5);
    const wH = randomFloats(OC * C, 6);
    const doutH = randomFloats(N * OC, 7);
    const resH = randomFloats(N * OC, 8);
    const dinpOld = randomFloats(N * C, 9);
    const up = (x: Float32Array, name: string) => gpu.upload(x, [x.length], 'f32', 'scratch', name);
    const [inp, w, dout, res] = [up(inpH, 'inp'), up(wH, 'w'), up(doutH, 'dout'), up(resH, 'res')];
    const t = (n: number) => gpu.tensor([n], 'f32', 'scratch', 't');
    const read = async (x: ReturnType<typeof t>) => Array.from(await gpu.readF32(x));

    // out = res + dropout(inp W^T)
    const fusedOut = t(N * OC);
    linearForward(gpu, fusedOut, inp, w, N, C, OC, { residual: res, outputDropout: o, ...v });
    const y = t(N * OC);
    const plainOut = t(N * OC);
    linearForward(gpu, y, inp, w, N, C, OC, v);
    dropoutForward(gpu, y, y, N * OC, o);
    add(gpu, plainOut, res, y);
    const got = await read(fusedOut);
    expect(got).toEqual(await read(plainOut));
    const want = dropoutRef(linearForwardRef(inpH, wH, N, C, OC), o).map((v, i) => v + resH[i]);
    expect(closeness(got, want, TOL)).toBeNull();

    // out = dropout(inp) W^T; dinp += dropout'(dout W); dW += dout^T dropout(inp)
    const [fOut, fDinp, fDw] = [t(N * OC), up(dinpOld, 'dinp'), t(OC * C)];
    linearForward(gpu, fOut, inp, w, N, C, OC, { dropout: o, ...v });
    linearBackward(gpu, fDinp, fDw, dout, inp, w, N, C, OC, { accumulateInput: true, dropout: o, ...v });
    const xd = t(N * C);
    dropoutForward(gpu, xd, inp, N * C, o);
    const [pOut, pDinp, pDw, dx] = [t(N * OC), up(dinpOld, 'dinp'), t(OC * C), t(N * C)];
    linearForward(gpu, pOut, xd, w, N, C, OC, v);
    linearBackward(gpu, dx, pDw, dout, xd, w, N, C, OC, v);
    dropoutBackward(gpu, dx, dx, N * C, o);
    axpy(gpu, pDinp, dx, 1, N * C);
    expect(await read(fOut)).toEqual(await read(pOut));
    expect(await read(fDinp)).toEqual(await read(pDinp));
    expect(await read(fDw)).toEqual(await read(pDw));
    const ref = linearBackwardRef(doutH, dropoutRef(inpH, o), wH, N, C, OC);
    expect(closeness(await read(fDw), ref.dweight, TOL)).toBeNull();
    expect(closeness(await read(fDinp), dropoutRef(linearBackwardRef(doutH, inpH, wH, N, C, OC).dinp, o).map((v, i) => v + dinpOld[i]), TOL)).toBeNull();
    gpu.free(inp, w, dout, res, fusedOut, y, plainOut, fOut, fDinp, fDw, xd, pOut, pDinp, pDw, dx);
  });
});
