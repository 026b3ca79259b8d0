// Linear layers on top of matmul, in the Hugging Face weight layout W (OC, C) = [out_features, in_features].
// N rows = batch * tokens; no bias (T5 has none).
import type { Gpu } from '../gpu';
import type { Bindable } from '../tensor';
import type { DropoutOptions } from './dropout';
import { matmul } from './matmul';

export interface LinearForwardOptions {
  /** out += instead of out = */
  accumulate?: boolean;
  /** out = residual + inp . weight^T (residual must not be out) */
  residual?: Bindable;
  /** scales inp . weight^T */
  alpha?: number;
  /** dropout(inp) . weight^T: the mask is drawn as inp's elements load (no dropped copy of inp is made) */
  dropout?: DropoutOptions;
  /** dropout(alpha * inp . weight^T) before accumulate or residual, drawn in the store (index n * OC + o) */
  outputDropout?: DropoutOptions;
  /** force a matmul variant (tests, benchmark) */
  variant?: string;
}

export interface LinearBackwardOptions {
  /** dinp += instead of dinp = */
  accumulateInput?: boolean;
  /** scales both gradients */
  alpha?: number;
  /** The forward's input dropout (same options): dinp gets its backward, dweight sees the dropped input. */
  dropout?: DropoutOptions;
  variant?: string;
}

/**
 * out = alpha * [dropout](inp) . weight^T, or outputDropout(alpha * inp . weight^T); += if accumulate, residual +
 * if residual.  inp (N,C), weight (OC,C), out (N,OC)
 */
export function linearForward(
  gpu: Gpu, out: Bindable, inp: Bindable, weight: Bindable, N: number, C: number, OC: number, opts: LinearForwardOptions = {},
): void {
  if (opts.dropout && opts.outputDropout) throw new Error('linearForward: pass either dropout (of inp) or outputDropout, not both');
  const dropout = opts.dropout ? { ...opts.dropout, operand: 'a' as const } : opts.outputDropout && { ...opts.outputDropout, operand: 'out' as const };
  matmul(gpu, out, inp, weight, { M: N, N: OC, K: C }, { transB: true, accumulate: opts.accumulate, residual: opts.residual, alpha: opts.alpha, dropout, variant: opts.variant });
}

/**
 * dinp (N,C) = alpha * dout . weight (overwritten, or += with accumulateInput), dropout's backward applied to
 * alpha * dout . weight before the add when opts.dropout;
 * dweight (OC,C) += alpha * dout^T . inp (always accumulates: zero it with gpu.zero before the first micro-batch).
 * Either output may be null (no input gradient needed / frozen weight).
 * dout (N,OC), inp (N,C), weight (OC,C)
 */
export function linearBackward(
  gpu: Gpu, dinp: Bindable | null, dweight: Bindable | null, dout: Bindable, inp: Bindable, weight: Bindable,
  N: number, C: number, OC: number, opts: LinearBackwardOptions = {},
): void {
  const drop = opts.dropout;
  if (dinp) {
    const dropout = drop && { ...drop, operand: 'out' as const };
    matmul(gpu, dinp, dout, weight, { M: N, N: C, K: OC }, { accumulate: opts.accumulateInput, alpha: opts.alpha, dropout, variant: opts.variant });
  }
  if (dweight) {
    const dropout = drop && { ...drop, operand: 'b' as const };
    matmul(gpu, dweight, dout, inp, { M: OC, N: C, K: N }, { transA: true, accumulate: true, alpha: opts.alpha, dropout, variant: opts.variant });
  }
}
