// CPU float64 references of the NF4 matmuls: dequantize on the CPU (nf4-cpu.ts), then plain matmuls.

/** inp (N,C), w (OC,C) dequantized, out (N,OC) = alpha * inp . w^T */
export function nf4LinearForwardRef(inp: ArrayLike<number>, w: ArrayLike<number>, N: number, C: number, OC: number, alpha = 1): Float64Array {
  const out = new Float64Array(N * OC);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OC; o++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += inp[n * C + c] * w[o * C + c];
      out[n * OC + o] = alpha * s;
    }
  }
  return out;
}

/** dout (N,OC), w (OC,C) dequantized, dinp (N,C) = dout . w */
export function nf4LinearBackwardInputRef(dout: ArrayLike<number>, w: ArrayLike<number>, N: number, C: number, OC: number): Float64Array {
  const dinp = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OC; o++) {
      const d = dout[n * OC + o];
      for (let c = 0; c < C; c++) dinp[n * C + c] += d * w[o * C + c];
    }
  }
  return dinp;
}
