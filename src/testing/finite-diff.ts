// Gradient checks for CPU float64 references: central differences of a scalar function, one coordinate
// at a time. A backward reference that takes dout is checked through the scalar L(x) = sum(f(x) * dout),
// whose gradient is exactly the vector-Jacobian product the backward pass computes. And one check for whole-model
// gradients on the GPU (largestGradientMismatch).
import type { Gpu } from '../gpu/gpu';
import type { Tensor } from '../gpu/tensor';

/** dL/dx[i] ~ (L(x + h e_i) - L(x - h e_i)) / 2h for every i; x is copied, not modified. */
export function numericGradient(loss: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const probe = Float64Array.from(x);
  const grad = new Float64Array(probe.length);
  for (let i = 0; i < probe.length; i++) {
    const keep = probe[i];
    // A step relative to the value keeps the difference meaningful for large coordinates.
    const step = h * Math.max(1, Math.abs(keep));
    probe[i] = keep + step;
    const up = loss(probe);
    probe[i] = keep - step;
    const down = loss(probe);
    probe[i] = keep;
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}

/** sum(a * b): turns a vector output into the scalar whose gradient is the backward pass with dout = b. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Seeded float64 values in [lo, hi) for gradient checks (xorshift32, like randomFloats). */
export function randomDoubles(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (s / 4294967296) * (hi - lo);
  }
  return out;
}

/** A trainable GPU tensor as the gradient check needs it. */
interface GpuParameter {
  name: string;
  value: Tensor;
  grad: Tensor | null;
}

/**
 * Whole-model gradient check on the GPU: the parameter's largest gradient entry against a central difference of
 * `loss` (a forward pass reading the parameter) with step h. A line naming the mismatch, or null when
 * |numeric - analytic| <= 3% of the analytic value + 3e-4 (f32 forward passes, so loose).
 */
export async function largestGradientMismatch(gpu: Gpu, p: GpuParameter, loss: () => Promise<number>, h: number): Promise<string | null> {
  const grad = await gpu.readF32(p.grad!);
  const value = await gpu.readF32(p.value);
  let at = 0;
  for (let i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[at])) at = i;
  const lossAt = async (v: number) => {
    gpu.write(p.value, Float32Array.of(v), at);
    return loss();
  };
  const numeric = ((await lossAt(value[at] + h)) - (await lossAt(value[at] - h))) / (2 * h);
  gpu.write(p.value, Float32Array.of(value[at]), at);
  return Math.abs(numeric - grad[at]) <= 0.03 * Math.abs(grad[at]) + 3e-4 ? null : `${p.name}[${at}]: analytic ${grad[at]}, numeric ${numeric}`;
}
