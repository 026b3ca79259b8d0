// CPU float64 references of the token embedding lookup.  ids (N), table (V,C), out (N,C).

export function embeddingForwardRef(ids: ArrayLike<number>, table: ArrayLike<number>, N: number, C: number): Float64Array {
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) out[n * C + c] = table[ids[n] * C + c];
  return out;
}

/** dtable (V,C) = sum over positions p with ids[p] == v of dout[p] (fresh, not accumulated). */
export function embeddingBackwardRef(dout: ArrayLike<number>, ids: ArrayLike<number>, V: number, C: number): Float64Array {
  const dtable = new Float64Array(V * C);
  for (let n = 0; n < ids.length; n++) for (let c = 0; c < C; c++) dtable[ids[n] * C + c] += dout[n * C + c];
  return dtable;
}
