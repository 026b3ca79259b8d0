import type { T5Config } from './config';
import type { Extent } from './records';

/** Sizes used by every kernel call, derived once from the config. Legend: C model width, I = NH*D attention
 *  width, F feed-forward width, V vocabulary, L/Ld encoder/decoder layers. */
export interface T5Dims {
  C: number;
  I: number;
  F: number;
  NH: number;
  D: number;
  V: number;
  L: number;
  Ld: number;
  gated: boolean;
  tied: boolean;
  eps: number;
  numBuckets: number;
  maxDistance: number;
  dropout: number;
  pad: number;
  eos: number;
  decoderStart: number;
}

export function t5Dims(c: T5Config): T5Dims {
  return {
    C: c.d_model,
    I: c.num_heads * c.d_kv,
    F: c.d_ff,
    NH: c.num_heads,
    D: c.d_kv,
    V: c.vocab_size,
    L: c.num_layers,
    Ld: c.num_decoder_layers ?? c.num_layers,
    gated: c.feed_forward_proj.startsWith('gated'),
    tied: c.tie_word_embeddings,
    eps: c.layer_norm_epsilon,
    numBuckets: c.relative_attention_num_buckets,
    maxDistance: c.relative_attention_max_distance,
    dropout: c.dropout_rate,
    pad: c.pad_token_id,
    eos: c.eos_token_id,
    decoderStart: c.decoder_start_token_id,
  };
}

/** Row extents of the two stacks: encoder rows B*Tin, decoder rows B*Tout. */
export const encRows: Extent = (s) => s.B * s.Tin;
export const decRows: Extent = (s) => s.B * s.Tout;
