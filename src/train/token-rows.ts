// The repaired tokenizer's new characters ("{", "}" for FLAN-T5) sit on embedding rows nobody trained, and LoRA/QLoRA
// freeze the embedding and lm_head: those rows train alongside the adapter, as PEFT's trainable tokens
// (src/model/trainable-tokens.ts; saved under PEFT's keys with trainable_token_indices by exportAdapter).
import type { Gpu } from '../gpu/gpu';
import { attachTrainableTokens } from '../model/trainable-tokens';
import type { T5Model } from '../model/t5-model';

export async function attachRunTokenRows(gpu: Gpu, model: T5Model, tokenIds: readonly number[]): Promise<void> {
  await attachTrainableTokens(gpu, model, tokenIds, { trainable: true });
}
