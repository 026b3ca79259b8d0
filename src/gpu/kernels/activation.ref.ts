// CPU float64 references of T5's FFN activations.
// gelu_new(x) = 0.5 x (1 + tanh(z)), z = sqrt(2/pi) (x + 0.044715 x^3). Since 0.5 (1 + tanh z) = sigmoid(2z),
// we evaluate x * sigmoid(2z) with t = exp(-2|z|) <= 1, which never divides inf by inf and keeps relative
// precision where 1 + tanh(z) would cancel (large negative x). The tests check it against the tanh form.

export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_A = 0.044715;

/** s = sigmoid(2z) and ds = s(1-s), both from t = exp(-2|z|) (NaN in, NaN out). */
function sigmoid2(z: number): { s: number; ds: number } {
  const t = Math.exp(-2 * Math.abs(z));
  const s = z >= 0 ? 1 / (1 + t) : t / (1 + t);
  return { s, ds: t / ((1 + t) * (1 + t)) };
}

export function geluNewRef(x: number): number {
  return x * sigmoid2(GELU_K * (x + GELU_A * x * x * x)).s;
}

/** d gelu_new / dx = s + x * 2 s(1-s) * K (1 + 3A x^2); the second term is < 1e-35 past |x| = 10. */
export function geluNewGradRef(x: number): number {
  const { s, ds } = sigmoid2(GELU_K * (x + GELU_A * x * x * x));
  const tail = Math.abs(x) > 10 ? 0 : x * 2 * ds * GELU_K * (1 + 3 * GELU_A * x * x);
  return s + tail;
}

// a, b, out (n): out = gelu_new(a) * b
export function gatedGeluForwardRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = geluNewRef(a[i]) * b[i];
  return out;
}

// dout, a, b (n): da = dout * b * gelu_new'(a), db = dout * gelu_new(a)
export function gatedGeluBackwardRef(dout: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): { da: Float64Array; db: Float64Array } {
  const da = new Float64Array(a.length);
  const db = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    da[i] = dout[i] * b[i] * geluNewGradRef(a[i]);
    db[i] = dout[i] * geluNewRef(a[i]);
  }
  return { da, db };
}

/** relu keeps NaN (torch.relu does); its gradient is 0 at 0 and at NaN (torch's threshold_backward). */
export function reluForwardRef(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (x) => (x <= 0 ? 0 : x));
}

export function reluBackwardRef(dout: ArrayLike<number>, a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (x, i) => (x > 0 ? dout[i] : 0));
}
