// CPU float64 reference of T5LayerNorm (RMS norm): y = w * (x * rstd), rstd = 1/sqrt(mean(x^2) + eps).
// No mean subtraction, no bias, eps inside the root. Shapes: inp (N,C), weight (C), out (N,C), rstd (N).

/** Largest finite float32: HF sums x^2 in f32, so a row whose sum of squares exceeds it gets variance inf. */
const F32_MAX = 3.4028234663852886e38;

/**
 * Forward. HF semantics for huge inputs: the f32 variance overflows to inf, rstd becomes 0 and the row's
 * output is 0 (NaN where x is +-inf). We reproduce that instead of float64's finite answer.
 */
export function rmsnormForwardRef(
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  C: number,
  eps: number,
): { out: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(N * C);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let sumsq = 0;
    for (let c = 0; c < C; c++) sumsq += inp[n * C + c] * inp[n * C + c];
    if (sumsq > F32_MAX) sumsq = Infinity;
    const r = 1 / Math.sqrt(sumsq / C + eps);
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[n * C + c] = weight[c] * (inp[n * C + c] * r);
  }
  return { out, rstd };
}

/**
 * Backward (fresh gradients, not accumulated). With r = rstd and S = sum_j dy_j w_j x_j over the row:
 *   dx_i = r w_i dy_i - x_i r^3 S / C,    dw_i = sum over rows dy_i x_i r.
 */
export function rmsnormBackwardRef(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  rstd: ArrayLike<number>,
  N: number,
  C: number,
): { dinp: Float64Array; dweight: Float64Array } {
  const dinp = new Float64Array(N * C);
  const dweight = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const r = rstd[n];
    let S = 0;
    for (let c = 0; c < C; c++) S += dout[n * C + c] * weight[c] * inp[n * C + c];
    const k = (r * r * r * S) / C;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      dinp[i] = r * weight[c] * dout[i] - inp[i] * k;
      dweight[c] += dout[i] * inp[i] * r;
    }
  }
  return { dinp, dweight };
}
