import { IGNORE_INDEX } from '../../common/tokenizer-types';
import type { SplitGradScale } from './cross-entropy';

/**
 * CPU float64 reference of crossEntropy: per-row loss logsumexp(x) - x[t] (0 for t = -100) and
 * dlogits = gradScale * (softmax(x) - onehot(t)), a split scale applying `first` to rows before `rows`. A target
 * outside [0, V) gives a NaN row (torch raises).
 */
export function crossEntropyRef(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  N: number,
  V: number,
  gradScale: number | SplitGradScale,
): { losses: Float64Array; dlogits: Float64Array } {
  const losses = new Float64Array(N);
  const dlogits = new Float64Array(N * V);
  for (let r = 0; r < N; r++) {
    const t = targets[r];
    if (t === IGNORE_INDEX) continue;
    const row = Array.from({ length: V }, (_, j) => logits[r * V + j]);
    let m = -Infinity;
    for (const x of row) m = Number.isNaN(x) || Number.isNaN(m) ? NaN : Math.max(m, x);
    let s = 0;
    for (const x of row) s += Math.exp(x - m);
    const valid = Number.isInteger(t) && t >= 0 && t < V;
    const scale = typeof gradScale === 'number' ? gradScale : r < gradScale.rows ? gradScale.first : gradScale.rest;
    // (max - x_t) + log(s), not (max + log(s)) - x_t: at |max| ~ 1e30 the latter loses log(s) entirely.
    losses[r] = valid ? m - row[t] + Math.log(s) : NaN;
    for (let j = 0; j < V; j++) {
      dlogits[r * V + j] = valid ? scale * (Math.exp(row[j] - m) / s - (j === t ? 1 : 0)) : NaN;
    }
  }
  return { losses, dlogits };
}
