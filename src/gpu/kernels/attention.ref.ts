// CPU float64 reference of the attention core (HF T5 semantics), forward and backward.
// Shapes: B batch, Tq query rows, Tk key rows, NH heads, D = d_kv, C = NH*D, Cap = kvCapacity (>= Tk).
// q (B,Tq,C); k, v (B,Cap,C), only rows < Tk are read; bias (NH,Tq,Tk) or null; keyMask (B,Tk) or null;
// probs, dscores (B,NH,Tq,Tk); out, dout, dq (B,Tq,C); dk, dv (B,Cap,C); dbias (NH,Tq,Tk).
// drop (B,NH,Tq,Tk) or null: dropout keep/(1-p) on the probabilities; out = (probs * drop).v, probs stay undropped.
import type { AttentionDims } from './attention';

/** HF's additive mask value, finfo(float32).min. Not -inf, so a fully masked row is uniform instead of NaN. */
export const F32_LOWEST = -3.4028234663852886e38;

interface Layout {
  B: number;
  Tq: number;
  Tk: number;
  NH: number;
  D: number;
  C: number;
  cap: number;
  qoff: number;
  causal: boolean;
}

function layout(dims: AttentionDims): Layout {
  const { B, Tq, Tk, NH, D, causal } = dims;
  return { B, Tq, Tk, NH, D, C: NH * D, cap: dims.kvCapacity ?? Tk, qoff: dims.queryOffset ?? 0, causal };
}

/** Whether query row i of batch item b may not see key j (causal future or padding). */
function masked(L: Layout, keyMask: ArrayLike<number> | null, b: number, i: number, j: number): boolean {
  if (L.causal && j > L.qoff + i) return true;
  return keyMask !== null && keyMask[b * L.Tk + j] === 0;
}

export function attentionForwardRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  keyMask: ArrayLike<number> | null,
  dims: AttentionDims,
  drop: ArrayLike<number> | null = null,
): { out: Float64Array; probs: Float64Array } {
  const L = layout(dims);
  const { B, Tq, Tk, NH, D, C, cap } = L;
  const probs = new Float64Array(B * NH * Tq * Tk);
  const out = new Float64Array(B * Tq * C);
  const s = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < Tq; i++) {
        const qi = (b * Tq + i) * C + h * D;
        let max = -Infinity;
        let nan = false;
        for (let j = 0; j < Tk; j++) {
          const kj = (b * cap + j) * C + h * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qi + d] * k[kj + d];
          // HF adds the mask to the bias first, then the sum to the scores.
          const add = (bias ? bias[(h * Tq + i) * Tk + j] : 0) + (masked(L, keyMask, b, i, j) ? F32_LOWEST : 0);
          s[j] = dot + add;
          if (Number.isNaN(s[j])) nan = true;
          max = Math.max(max, s[j]);
        }
        const row = ((b * NH + h) * Tq + i) * Tk;
        let sum = 0;
        for (let j = 0; j < Tk; j++) {
          probs[row + j] = nan ? NaN : Math.exp(s[j] - max);
          sum += probs[row + j];
        }
        for (let j = 0; j < Tk; j++) probs[row + j] /= sum;
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j < Tk; j++) acc += probs[row + j] * (drop ? drop[row + j] : 1) * v[(b * cap + j) * C + h * D + d];
          out[qi + d] = acc;
        }
      }
    }
  }
  return { out, probs };
}

/**
 * Gradients of out = softmax(q.k^T + bias + mask) . v with the mask a constant (as autograd sees HF's additive
 * mask): dP = dout.v^T, dS = P*(dP - rowsum(dP*P)), dq = dS.k, dk = dS^T.q, dv = P^T.dout, dbias = sum_b dS.
 * With dropout (drop = keep/(1-p)): dP = (dout.v^T) * drop and dv = (P * drop)^T.dout.
 * dk and dv rows in [Tk, Cap) are zero. All outputs are fresh (the GPU kernel accumulates only into dbias).
 */
export function attentionBackwardRef(
  dout: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  probs: ArrayLike<number>,
  dims: AttentionDims,
  drop: ArrayLike<number> | null = null,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array; dbias: Float64Array; dscores: Float64Array } {
  const L = layout(dims);
  const { B, Tq, Tk, NH, D, C, cap } = L;
  const dscores = new Float64Array(B * NH * Tq * Tk);
  const dq = new Float64Array(B * Tq * C);
  const dk = new Float64Array(B * cap * C);
  const dv = new Float64Array(B * cap * C);
  const dbias = new Float64Array(NH * Tq * Tk);
  const dp = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < Tq; i++) {
        const qi = (b * Tq + i) * C + h * D;
        const row = ((b * NH + h) * Tq + i) * Tk;
        let dot = 0;
        for (let j = 0; j < Tk; j++) {
          const vj = (b * cap + j) * C + h * D;
          let acc = 0;
          for (let d = 0; d < D; d++) acc += dout[qi + d] * v[vj + d];
          dp[j] = acc * (drop ? drop[row + j] : 1);
          dot += dp[j] * probs[row + j];
        }
        for (let j = 0; j < Tk; j++) {
          const p = probs[row + j];
          const pd = p * (drop ? drop[row + j] : 1);
          const ds = p * (dp[j] - dot);
          dscores[row + j] = ds;
          dbias[(h * Tq + i) * Tk + j] += ds;
          const kj = (b * cap + j) * C + h * D;
          for (let d = 0; d < D; d++) {
            dq[qi + d] += ds * k[kj + d];
            dk[kj + d] += ds * q[qi + d];
            dv[kj + d] += pd * dout[qi + d];
          }
        }
      }
    }
  }
  return { dq, dk, dv, dbias, dscores };
}
