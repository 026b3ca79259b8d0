// The models the studio offers by name: released FLAN-T5 configs (so a list shows sizes and estimates before any
// download) and the default Models list.
import { T5_DEFAULTS, type T5Config } from '../model/config';

/** Released FLAN-T5 configs (values from their Hugging Face config.json; PAPER.md lists small and base). */
export const T5_PRESETS: Record<string, T5Config> = {
  'google/flan-t5-small': flan(512, 1024, 6, 8),
  'google/flan-t5-base': flan(768, 2048, 12, 12),
  'google/flan-t5-large': flan(1024, 2816, 16, 24),
  'google/flan-t5-xl': flan(2048, 5120, 32, 24),
};

/** The studio's default Models list; other ids are allowed with a memory estimate. */
export const DEFAULT_MODEL_IDS = ['google/flan-t5-small', 'google/flan-t5-base'] as const;

function flan(d_model: number, d_ff: number, num_heads: number, layers: number): T5Config {
  return {
    ...T5_DEFAULTS,
    d_model, d_ff, num_heads, d_kv: 64, num_layers: layers, num_decoder_layers: layers,
    feed_forward_proj: 'gated-gelu', tie_word_embeddings: false,
  };
}
