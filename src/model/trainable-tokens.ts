// PEFT's trainable tokens next to a LoRA adapter: the rows of a few token ids in the embedding (and in an untied
// lm_head) train while the rest of both matrices stays frozen. Stepwise needs it because the characters the
// JSON-safe tokenizer adds ("{", "}") sit on rows nobody trained, and LoRA/QLoRA freeze both matrices.
//
// As in PEFT (tuners/trainable_tokens/layer.py) the trained rows replace the base rows rather than add to them, and
// they start as copies of the rows they replace: here the base rows are first set to the mean of the existing
// embedding rows (and lm_head rows), since the new tokens' rows hold whatever the checkpoint left in padding rows.
// The rows are copied into the base weights before every forward (T5Runner.encode calls syncTokenRows), so the
// forward kernels read one matrix; backward adds only the trained rows' gradients (t5-runner.ts calls the two
// *Backward functions below). Legend: V vocabulary, C d_model, K trained ids, N positions, M decoder rows.
import type { Gpu } from '../gpu/gpu';
import { uploadEmbeddingGradIndex, type EmbeddingGradIndex } from '../gpu/kernels/embedding';
import { tokenRowsEmbeddingGrad, tokenRowsGrad } from '../gpu/kernels/token-rows';
import type { Bindable } from '../gpu/tensor';
import { denseParam, type DenseParam, type Param, type ParameterStore, type TrainableTokenRows } from './parameters';
import type { T5Model } from './t5-model';

/** PEFT's state-dict keys (adapter name removed) for the rows of `shared` and of `lm_head`. */
export const TOKEN_ROWS_KEY = {
  shared: 'base_model.model.shared.token_adapter.trainable_tokens_delta',
  lmHead: 'base_model.model.lm_head.token_adapter.trainable_tokens_delta',
} as const;

export interface TrainableTokensOptions {
  /**
   * Initial rows (K*C each), e.g. from an imported adapter. Without them both matrices' rows start as the mean of the
   * existing rows (ids below the smallest trained id: Hugging Face numbers added tokens after the vocabulary).
   */
  rows?: { shared: Float32Array; lmHead: Float32Array | null };
  /** Allocate gradients (training); false for inference. */
  trainable: boolean;
}

function checkIds(ids: readonly number[], V: number): number[] {
  if (ids.length === 0) throw new Error('trainable tokens: no token ids given');
  const sorted = [...ids].sort((a, b) => a - b);
  sorted.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`trainable tokens: id ${id} is not a row of the ${V}-row embedding`);
    if (i > 0 && sorted[i - 1] === id) throw new Error(`trainable tokens: id ${id} is given twice`);
  });
  if (sorted[0] === 0) throw new Error('trainable tokens: id 0 is the pad and decoder start token; its row is not a new token');
  return sorted;
}

/** Mean of rows [0, below) of a (V, C) matrix, in float64. */
export function meanRow(all: Float32Array, C: number, below: number): Float32Array {
  const sum = new Float64Array(C);
  for (let v = 0; v < below; v++) for (let c = 0; c < C; c++) sum[c] += all[v * C + c];
  return Float32Array.from(sum, (s) => s / below);
}

function rowsOf(all: Float32Array, ids: readonly number[], C: number): Float32Array {
  const out = new Float32Array(ids.length * C);
  ids.forEach((id, j) => out.set(all.subarray(id * C, (id + 1) * C), j * C));
  return out;
}

/**
 * Train the rows of `tokenIds` alongside the adapters (call after attachLora or an adapter import). The model must
 * not train its embedding in full. Returns the rows; their parameters join params.trainable(), so AdamW, gradient
 * clipping and checkpoints see them like any other trainable tensor.
 */
export async function attachTrainableTokens(gpu: Gpu, model: T5Model, tokenIds: readonly number[], o: TrainableTokensOptions): Promise<TrainableTokenRows> {
  const params = model.params;
  const { V, C, tied } = model.dims;
  if (params.tokens) throw new Error(`the model already trains the rows of tokens ${params.tokens.ids.join(', ')}`);
  const shared = params.dense('shared.weight');
  if (shared.grad) throw new Error('trainable tokens are for frozen embeddings (LoRA, QLoRA); full fine-tuning already trains every row');
  const ids = checkIds(tokenIds, V);
  const K = ids.length;
  const head = tied ? null : params.dense('lm_head.weight');
  const sharedAll = await gpu.readF32(shared.value);
  const headAll = head ? await gpu.readF32(head.value) : null;
  const original = { shared: rowsOf(sharedAll, ids, C), lmHead: headAll ? rowsOf(headAll, ids, C) : null };
  let init = o.rows;
  if (init) {
    if (init.shared.length !== K * C) throw new Error(`${TOKEN_ROWS_KEY.shared}: expected shape [${K}, ${C}] (${K * C} values), got ${init.shared.length}`);
    if (init.lmHead && init.lmHead.length !== K * C) throw new Error(`${TOKEN_ROWS_KEY.lmHead}: expected shape [${K}, ${C}] (${K * C} values), got ${init.lmHead.length}`);
    if (init.lmHead && tied) throw new Error(`${TOKEN_ROWS_KEY.lmHead}: the model ties lm_head to the embedding, so its rows are the shared rows`);
  } else {
    const repeat = (row: Float32Array) => {
      const out = new Float32Array(K * C);
      for (let j = 0; j < K; j++) out.set(row, j * C);
      return out;
    };
    init = { shared: repeat(meanRow(sharedAll, C, ids[0])), lmHead: headAll ? repeat(meanRow(headAll, C, ids[0])) : null };
  }
  const make = (name: string, kind: Param['kind'], data: Float32Array): DenseParam => {
    const p = denseParam(name, [K, C], kind, gpu.upload(data, [K * C], 'f32', 'weights', name), true);
    if (o.trainable) params.enableGrad(p);
    return p;
  };
  const rows: TrainableTokenRows = {
    ids,
    shared: make(TOKEN_ROWS_KEY.shared, 'embedding', init.shared),
    lmHead: init.lmHead ? make(TOKEN_ROWS_KEY.lmHead, 'lm_head', init.lmHead) : null,
    original,
    idsTensor: gpu.upload(Int32Array.from(ids), [K], 'i32', 'weights', 'trainable_tokens.ids'),
  };
  params.tokens = rows;
  syncTokenRows(gpu, params);
  return rows;
}

/** Copy the trained rows into the base weights (before a forward; cheap: K row copies per matrix). */
export function syncTokenRows(gpu: Gpu, params: ParameterStore): void {
  const t = params.tokens;
  if (!t) return;
  const C = t.shared.shape[1];
  const copyRows = (from: DenseParam, into: DenseParam) => {
    t.ids.forEach((id, j) => gpu.copy(from.value, into.value, C * 4, j * C * 4, id * C * 4));
  };
  copyRows(t.shared, params.dense('shared.weight'));
  if (t.lmHead) copyRows(t.lmHead, params.dense('lm_head.weight'));
}

/** Stop training the rows: the base rows get their original values back and the rows' tensors are freed. */
export function detachTrainableTokens(gpu: Gpu, params: ParameterStore): void {
  const t = params.tokens;
  if (!t) return;
  const C = t.shared.shape[1];
  const restore = (name: string, rows: Float32Array) => t.ids.forEach((id, j) => gpu.write(params.value(name), rows.subarray(j * C, (j + 1) * C), id * C));
  restore('shared.weight', t.original.shared);
  if (t.original.lmHead && t.lmHead) restore('lm_head.weight', t.original.lmHead);
  for (const p of params.tokenParams()) {
    gpu.free(p.value, p.grad);
    p.grad = null;
  }
  gpu.free(t.idsTensor);
  params.tokens = null;
}

/**
 * Gradient of the trained rows from the output projection: logits (M,V) = headIn (M,C) W^T, with dlogits in place of
 * the logits. A tied head's rows are the shared rows; an untied head whose rows stay frozen adds nothing.
 */
export function tokenRowsHeadBackward(gpu: Gpu, params: ParameterStore, dlogits: Bindable, headIn: Bindable, M: number, V: number, C: number, tied: boolean): void {
  const t = params.tokens;
  if (!t) return;
  const target = tied ? t.shared : t.lmHead;
  if (!target?.grad) return;
  tokenRowsGrad(gpu, target.grad, dlogits, headIn, t.idsTensor, M, V, C, t.ids.length);
}

/** Positions of the trained ids in a batch, grouped by the row's index j (not the token id), for embeddingBackward. */
export function tokenRowsGradIndex(ids: ArrayLike<number>, trained: readonly number[]): EmbeddingGradIndex {
  const row = new Map(trained.map((id, j) => [id, j]));
  const byRow: number[][] = trained.map(() => []);
  for (let p = 0; p < ids.length; p++) {
    const j = row.get(ids[p]);
    if (j !== undefined) byRow[j].push(p);
  }
  const uniqueIds: number[] = [];
  const offsets: number[] = [0];
  const positions: number[] = [];
  byRow.forEach((ps, j) => {
    if (ps.length === 0) return;
    uniqueIds.push(j);
    positions.push(...ps);
    offsets.push(positions.length);
  });
  return { uniqueIds: Int32Array.from(uniqueIds), offsets: Int32Array.from(offsets), positions: Int32Array.from(positions) };
}

/** Gradient of the trained rows from an embedding lookup: dout (N,C) at the positions of ids (N). */
export function tokenRowsEmbeddingBackward(gpu: Gpu, params: ParameterStore, dout: Bindable, ids: ArrayLike<number>, C: number, label: string): void {
  const t = params.tokens;
  if (!t?.shared.grad) return;
  const index = tokenRowsGradIndex(ids, t.ids);
  if (index.uniqueIds.length === 0) return;
  const g = uploadEmbeddingGradIndex(gpu, index, `tokens.${label}`);
  tokenRowsEmbeddingGrad(gpu, t.shared.grad, dout, g, ids.length, C, t.ids.length);
  gpu.free(g.uniqueIds, g.offsets, g.positions);
}
