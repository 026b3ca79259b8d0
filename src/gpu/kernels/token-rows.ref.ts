// CPU float64 reference of the trained-rows gradient of an output projection.
// dlogits (M,V), x (M,C), ids (K); drows (K,C) = dlogits[:, ids]^T x (fresh, not accumulated).

export function tokenRowsGradRef(dlogits: ArrayLike<number>, x: ArrayLike<number>, ids: ArrayLike<number>, M: number, V: number, C: number): Float64Array {
  const K = ids.length;
  const out = new Float64Array(K * C);
  for (let j = 0; j < K; j++) {
    for (let m = 0; m < M; m++) {
      const g = dlogits[m * V + ids[j]];
      for (let c = 0; c < C; c++) out[j * C + c] += g * x[m * C + c];
    }
  }
  return out;
}
