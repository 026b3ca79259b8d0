// The repaired tokenizer's new characters ("{", "}" for FLAN-T5) sit on embedding rows nobody trained (padding rows
// of the checkpoint). LoRA/QLoRA freeze the embedding and lm_head, so those rows train alongside the adapter, as
// PEFT's trainable tokens (src/model/trainable-tokens.ts: they start at the mean row; exportAdapter saves them under
// PEFT's keys with trainable_token_indices). Full fine-tuning trains every row already; its new rows start at the
// mean row too, rather than at whatever the padding held.
import type { Gpu } from '../gpu/gpu';
import { attachTrainableTokens, meanRow } from '../model/trainable-tokens';
import type { T5Model } from '../model/t5-model';

export async function attachRunTokenRows(gpu: Gpu, model: T5Model, tokenIds: readonly number[]): Promise<void> {
  await attachTrainableTokens(gpu, model, tokenIds, { trainable: true });
}

/** Set rows `ids` of the embedding (and of an untied lm_head) to the mean of the rows below the smallest id. */
export async function initRowsToMean(gpu: Gpu, model: T5Model, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const { C, tied } = model.dims;
  const below = Math.min(...ids);
  for (const name of tied ? ['shared.weight'] : ['shared.weight', 'lm_head.weight']) {
    const t = model.params.value(name);
    const all = await gpu.readF32(t);
    const mean = meanRow(all, C, below);
    for (const id of ids) gpu.write(t, mean, id * C);
  }
}
