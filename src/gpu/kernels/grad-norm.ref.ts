/** CPU float64 reference of torch.nn.utils.clip_grad_norm_'s coefficient over several grad tensors. */
export function globalNormRef(grads: readonly ArrayLike<number>[]): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** min(1, maxNorm / (total + 1e-6)); 1 when clipping is off (maxNorm <= 0 or infinite); NaN stays NaN. */
export function clipScaleRef(total: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return 1;
  if (Number.isNaN(total)) return NaN;
  return Math.min(1, maxNorm / (total + 1e-6));
}
