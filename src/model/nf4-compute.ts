// Which precision QLoRA's NF4 linears compute in. Issue 5: f16 where the device has shader-f16, else f32. The f16
// path is checked on this device before it is trusted: one real NF4 weight is applied to random rows in f16 and in
// f32, forward and backward-input, and f16 is used only if they agree to f16 accuracy (otherwise a warning and f32).
import type { Gpu } from '../gpu/gpu';
import { castToF16, castToF32 } from '../gpu/kernels/cast';
import { nf4LinearBackwardInput, nf4LinearForward, type Nf4Weight } from '../gpu/kernels/nf4';
import type { Nf4Param } from './parameters';
import type { T5Model } from './t5-model';

export type Nf4ComputePreference = 'auto' | 'f32' | 'f16';

/** Relative agreement f16 must reach against f32 (f16 has an 11-bit significand; sums stay f32). */
const F16_TOLERANCE = 2e-2;

export async function selectNf4Compute(gpu: Gpu, model: T5Model, preference: Nf4ComputePreference = 'auto'): Promise<'f32' | 'f16'> {
  const params = model.params;
  if (preference === 'f16' && !gpu.info.f16) throw new Error('f16 compute was asked for, but this adapter has no shader-f16');
  const probe = [...params.params.values()].find((p): p is Nf4Param => p.storage === 'nf4')?.nf4;
  if (preference === 'f32' || !gpu.info.f16 || !probe) return (params.nf4Compute = 'f32');
  const error = await f16Disagreement(gpu, probe);
  if (error <= F16_TOLERANCE) return (params.nf4Compute = 'f16');
  if (preference === 'f16') throw new Error(`f16 NF4 compute disagrees with f32 by ${error.toExponential(2)} (relative) on this device`);
  console.warn(`f16 NF4 compute disagrees with f32 by ${error.toExponential(2)} on this device; computing in f32`);
  return (params.nf4Compute = 'f32');
}

type Nf4Product = typeof nf4LinearForward;

/** The larger relative disagreement of forward (x . W^T) and backward-input (dy . W) on random rows. */
async function f16Disagreement(gpu: Gpu, w: Nf4Weight): Promise<number> {
  const forward = await productDisagreement(gpu, w, nf4LinearForward, w.cols, w.rows);
  const backward = await productDisagreement(gpu, w, nf4LinearBackwardInput, w.rows, w.cols);
  return Math.max(forward, backward);
}

/** max |y16 - y32| / max |y32| for 4 random rows (width inW) through one NF4 product giving width outW. */
async function productDisagreement(gpu: Gpu, w: Nf4Weight, product: Nf4Product, inW: number, outW: number): Promise<number> {
  const N = 4;
  const x = new Float32Array(N * inW);
  let s = 12345;
  for (let i = 0; i < x.length; i++) x[i] = ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x32 = gpu.upload(x, [N, inW], 'f32', 'scratch', 'nf4_check.x');
  const x16 = gpu.tensor([N, inW], 'f16', 'scratch', 'nf4_check.x16');
  const y16 = gpu.tensor([N, outW], 'f16', 'scratch', 'nf4_check.y16');
  const yA = gpu.tensor([N, outW], 'f32', 'scratch', 'nf4_check.y32');
  const yB = gpu.tensor([N, outW], 'f32', 'scratch', 'nf4_check.yf16');
  try {
    // Both products take (gpu, out, inp, w, N, C, OC) with (N,C) x (OC,C) forward and (N,OC) x (OC,C) backward.
    const [C, OC] = product === nf4LinearForward ? [inW, outW] : [outW, inW];
    product(gpu, yA, x32, w, N, C, OC);
    castToF16(gpu, x16, x32, N * inW);
    product(gpu, y16, x16, w, N, C, OC);
    castToF32(gpu, yB, y16, N * outW);
    const [a, b] = [await gpu.readF32(yA), await gpu.readF32(yB)];
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]));
      const d = Math.abs(a[i] - b[i]);
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    }
    return scale > 0 ? worst / scale : worst;
  } finally {
    gpu.free(x32, x16, y16, yA, yB);
  }
}
