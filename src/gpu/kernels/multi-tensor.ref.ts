// CPU float64 references of the multi-tensor optimizer kernels: the per-tensor AdamW reference on each tensor of the
// group, and the global sum of squares clip_grad_norm_ takes the root of.
import type { AdamWHyper } from './adamw';
import { adamwStepRef, type AdamWState } from './adamw.ref';

/** One AdamW step on every tensor; weight decay only where decay[k]. */
export function multiAdamwStepRef(states: readonly AdamWState[], grads: readonly ArrayLike<number>[], decay: readonly boolean[], gradScale: number, h: AdamWHyper): AdamWState[] {
  return states.map((s, k) => adamwStepRef(s, grads[k], gradScale, decay[k] ? h : { ...h, weightDecay: 0 }));
}

/** Sum over every tensor of x^2. */
export function sumOfSquaresRef(tensors: readonly ArrayLike<number>[]): number {
  let s = 0;
  for (const t of tensors) for (let i = 0; i < t.length; i++) s += t[i] * t[i];
  return s;
}
