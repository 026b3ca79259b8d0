/** CPU float64 linear: out (N,OC) = inp (N,C) . weight (OC,C)^T. */
export function linearForwardRef(inp: ArrayLike<number>, weight: ArrayLike<number>, N: number, C: number, OC: number): Float64Array {
  const out = new Float64Array(N * OC);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += inp[n * C + c] * weight[o * C + c];
      out[n * OC + o] = s;
    }
  return out;
}

/** CPU float64 gradients of linearForwardRef for upstream dout (N,OC): dinp (N,C), dweight (OC,C). */
export function linearBackwardRef(
  dout: ArrayLike<number>, inp: ArrayLike<number>, weight: ArrayLike<number>, N: number, C: number, OC: number,
): { dinp: Float64Array; dweight: Float64Array } {
  const dinp = new Float64Array(N * C);
  const dweight = new Float64Array(OC * C);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++) {
      const g = dout[n * OC + o];
      for (let c = 0; c < C; c++) {
        dinp[n * C + c] += g * weight[o * C + c];
        dweight[o * C + c] += g * inp[n * C + c];
      }
    }
  return { dinp, dweight };
}
