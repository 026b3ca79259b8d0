import { adamwScalars, type AdamWHyper } from './adamw';

export interface AdamWState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** CPU float64 reference of one torch.optim.AdamW step (same order of operations); returns the new state. */
export function adamwStepRef(state: AdamWState, grad: ArrayLike<number>, gradScale: number, h: AdamWHyper): AdamWState {
  const { decay, stepSize, bc2Sqrt } = adamwScalars(h);
  const n = state.param.length;
  const out: AdamWState = { param: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const g = grad[i] * gradScale;
    const m = h.beta1 * state.m[i] + (1 - h.beta1) * g;
    const v = h.beta2 * state.v[i] + (1 - h.beta2) * g * g;
    out.m[i] = m;
    out.v[i] = v;
    out.param[i] = state.param[i] * decay - (stepSize * m) / (Math.sqrt(v) / bc2Sqrt + h.eps);
  }
  return out;
}
