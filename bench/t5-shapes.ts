// The matmuls of one T5 training step, per linear layer: forward, input gradient and weight gradient,
// with HF weights W (OC, C). Rows = batch 8 x 128 tokens = 1024 (full) or 1 x 128 (--quick).
export interface T5Dims {
  model: 'small' | 'base';
  C: number; // d_model
  inner: number; // NH * d_kv
  F: number; // d_ff
  V: number; // vocab
  NH: number;
  D: number;
}

export const T5_DIMS: Record<T5Dims['model'], T5Dims> = {
  small: { model: 'small', C: 512, inner: 384, F: 1024, V: 32128, NH: 6, D: 64 },
  base: { model: 'base', C: 768, inner: 768, F: 2048, V: 32128, NH: 12, D: 64 },
};

export interface MatmulCase {
  /** e.g. "small q fwd" */
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

export interface Scale {
  rows: number;
  /** Vocab divisor for the lm_head in quick mode. */
  vocabDiv: number;
}

export const FULL: Scale = { rows: 1024, vocabDiv: 1 };
export const QUICK: Scale = { rows: 128, vocabDiv: 8 };

/** Linear layers (in C -> out OC) of one model, q/k/v share a shape so q stands for all three. */
function layers(d: T5Dims, s: Scale): [string, number, number][] {
  return [
    ['q/k/v', d.C, d.inner],
    ['o', d.inner, d.C],
    ['wi', d.C, d.F],
    ['wo', d.F, d.C],
    ['lm_head', d.C, Math.round(d.V / s.vocabDiv / 4) * 4],
  ];
}

export function matmulCases(d: T5Dims, s: Scale): MatmulCase[] {
  const N = s.rows;
  const out: MatmulCase[] = [];
  for (const [layer, C, OC] of layers(d, s)) {
    const tag = `${d.model} ${layer} ${C}->${OC}`;
    out.push({ name: `${tag} fwd`, M: N, N: OC, K: C, transA: false, transB: true }); // inp . W^T
    out.push({ name: `${tag} dinp`, M: N, N: C, K: OC, transA: false, transB: false }); // dout . W
    out.push({ name: `${tag} dW`, M: OC, N: C, K: N, transA: true, transB: false }); // dout^T . inp
  }
  return out;
}

export function flops(c: MatmulCase): number {
  return 2 * c.M * c.N * c.K;
}
