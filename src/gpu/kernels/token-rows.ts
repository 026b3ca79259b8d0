// Gradients of a few rows of the output projection (PEFT's trainable tokens on lm_head): logits = x W^T with
// W (V,C); only rows ids of dW are wanted, so the (V,C) gradient is never formed.
// Shapes: M rows of x (B*T), V vocabulary, C channels, K trained rows.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { embeddingBackwardProgram, type EmbeddingGradIndexGpu } from './embedding';
import { expectTensor } from './kernel-args';

export const tokenRowsGradProgram: ProgramSpec = {
  name: 'token_rows_grad',
  shader: 'token-rows-grad',
  workgroupSize: [64],
  bindings: [
    { name: 'drows', access: 'read_write', type: 'f32' },
    { name: 'dlogits', access: 'read', type: 'f32' },
    { name: 'x', access: 'read', type: 'f32' },
    { name: 'ids', access: 'read', type: 'i32' },
  ],
  uniforms: [
    { name: 'M', type: 'u32' },
    { name: 'V', type: 'u32' },
    { name: 'C', type: 'u32' },
    { name: 'K', type: 'u32' },
  ],
};

// drows (K,C) += dlogits[:, ids]^T x;  dlogits (M,V), x (M,C), ids (K) i32 with 0 <= id < V (checked by the caller)
export function tokenRowsGrad(gpu: Gpu, drows: Bindable, dlogits: Bindable, x: Bindable, ids: Bindable, M: number, V: number, C: number, K: number): void {
  const k = 'tokenRowsGrad';
  for (const [name, v] of [['M', M], ['V', V], ['C', C], ['K', K]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${k}: bad size ${name}=${v}`);
  }
  expectTensor(k, 'drows', drows, 'f32', K * C, `(K,C) = (${K},${C})`);
  expectTensor(k, 'dlogits', dlogits, 'f32', M * V, `(M,V) = (${M},${V})`);
  expectTensor(k, 'x', x, 'f32', M * C, `(M,C) = (${M},${C})`);
  expectTensor(k, 'ids', ids, 'i32', K, `(K) = (${K})`);
  if (K === 0 || C === 0) return;
  gpu.dispatch(tokenRowsGradProgram, { drows, dlogits, x, ids }, { M, V, C, K }, gpu.grid1d(tokenRowsGradProgram, K * C));
}

/**
 * drows (K,C) += the embedding gradient of the trained rows: dout (N,C) summed over the positions of each row.
 * The index (from tokenRowsGradIndex in model/trainable-tokens.ts) names rows j in 0..K-1 and lists only the positions
 * of trained ids, so unlike embeddingBackward it covers fewer than N positions.
 */
export function tokenRowsEmbeddingGrad(gpu: Gpu, drows: Bindable, dout: Bindable, index: EmbeddingGradIndexGpu, N: number, C: number, K: number): void {
  const k = 'tokenRowsEmbeddingGrad';
  expectTensor(k, 'drows', drows, 'f32', K * C, `(K,C) = (${K},${C})`);
  expectTensor(k, 'dout', dout, 'f32', N * C, `(N,C) = (${N},${C})`);
  if (index.positions.size > N) throw new RangeError(`${k}: ${index.positions.size} positions for N=${N}`);
  if (index.count > K) throw new RangeError(`${k}: ${index.count} rows for K=${K}`);
  if (index.count === 0) return;
  const x = Math.ceil(C / embeddingBackwardProgram.workgroupSize[0]);
  const { uniqueIds, offsets, positions } = index;
  gpu.dispatch(embeddingBackwardProgram, { dtable: drows, dout, uniqueIds, offsets, positions }, { count: index.count, C }, [x, index.count, 1]);
}
