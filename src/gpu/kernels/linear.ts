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
  /** dropout(alpha * inp . weight^T [+ adapter]) before accumulate or residual, drawn in the store (index n * OC + o) */
  outputDropout?: DropoutOptions;
  /** A LoRA adapter's B layer added in the same matmul: + scaling * xa . B^T, xa (N,r), B (OC,r). */
  adapter?: { xa: Bindable; B: Bindable; r: number; scaling: number };
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
  /**
   * A LoRA adapter's input gradient added into dinp in the same matmul: + dropout'(dxa . A), dxa (N,r), A (r,C),
   * with the adapter's input dropout (the base weight's own input is not dropped).
   */
  adapter?: { dxa: Bindable; A: Bindable; r: number; dropout?: DropoutOptions };
  variant?: string;
}

/**
 * out = alpha * [dropout](inp) . weight^T [+ scaling * xa . B^T], the sum through outputDropout if given; += if
 * accumulate, residual + if residual.  inp (N,C), weight (OC,C), out (N,OC)
 */
export function linearForward(
  gpu: Gpu, out: Bindable, inp: Bindable, weight: Bindable, N: number, C: number, OC: number, opts: LinearForwardOptions = {},
): void {
  if (opts.dropout && opts.outputDropout) throw new Error('linearForward: pass either dropout (of inp) or outputDropout, not both');
  const dropout = opts.dropout ? { ...opts.dropout, operand: 'a' as const } : opts.outputDropout && { ...opts.outputDropout, operand: 'out' as const };
  const ad = opts.adapter;
  const second = ad && { a: ad.xa, b: ad.B, K: ad.r, transB: true, alpha: ad.scaling };
  matmul(gpu, out, inp, weight, { M: N, N: OC, K: C }, { transB: true, accumulate: opts.accumulate, residual: opts.residual, alpha: opts.alpha, dropout, second, variant: opts.variant });
}

/**
 * dinp (N,C) = alpha * dout . weight [+ dropout'(dxa . A) of an adapter] (overwritten, or += with
 * accumulateInput), dropout's backward applied to alpha * dout . weight before the add when opts.dropout;
 * dweight (OC,C) += alpha * dout^T . inp (always accumulates: zero it with gpu.zero before the first micro-batch).
 * Either output may be null (no input gradient needed / frozen weight).
 * dout (N,OC), inp (N,C), weight (OC,C)
 */
export function linearBackward(
  gpu: Gpu, dinp: Bindable | null, dweight: Bindable | null, dout: Bindable, inp: Bindable, weight: Bindable,
  N: number, C: number, OC: number, opts: LinearBackwardOptions = {},
): void {
  const drop = opts.dropout;
  const ad = opts.adapter;
  if (ad && drop) throw new Error('linearBackward: an adapter path and an input dropout of the weight itself cannot be combined');
  if (dinp) {
    const dropout = drop ? { ...drop, operand: 'out' as const } : ad?.dropout && { ...ad.dropout, operand: 'second' as const };
    const second = ad && { a: ad.dxa, b: ad.A, K: ad.r };
    matmul(gpu, dinp, dout, weight, { M: N, N: C, K: OC }, { accumulate: opts.accumulateInput, alpha: opts.alpha, dropout, second, variant: opts.variant });
  }
  if (dweight) {
    const dropout = drop && { ...drop, operand: 'b' as const };
    matmul(gpu, dweight, dout, inp, { M: OC, N: C, K: N }, { transA: true, accumulate: true, alpha: opts.alpha, dropout, variant: opts.variant });
  }
}
