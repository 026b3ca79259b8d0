// T5 architecture configuration, field names exactly as Hugging Face config.json so a file maps one to one.
// Defaults are the ones transformers' T5Config / PretrainedConfig apply when a key is absent.

export type FeedForwardProj = 'gated-gelu' | 'relu';

export interface T5Config {
  /** Rows of the shared embedding and lm_head (V). May exceed the tokenizer's size (FLAN-T5: 32128 vs 32100). */
  vocab_size: number;
  /** Width of the residual stream (C). */
  d_model: number;
  /** Width of one attention head (D). Need not equal d_model / num_heads. */
  d_kv: number;
  /** Inner width of the feed-forward block (F). */
  d_ff: number;
  /** Encoder blocks. */
  num_layers: number;
  /** Decoder blocks; HF defaults it to num_layers. */
  num_decoder_layers: number;
  /** Attention heads (NH) in every attention layer. */
  num_heads: number;
  /** Relative position buckets (32 in every released T5). */
  relative_attention_num_buckets: number;
  /** Distance beyond which all offsets share the last log-spaced bucket (128). */
  relative_attention_max_distance: number;
  /** Dropout probability used in training (attention probs, residual branches, FFN inner). */
  dropout_rate: number;
  /** Epsilon inside the RMS norm's square root. */
  layer_norm_epsilon: number;
  /** 'gated-gelu' (FLAN-T5, T5 v1.1: wo(gelu_new(wi_0 x) * wi_1 x)) or 'relu' (original T5: wo(relu(wi x))). */
  feed_forward_proj: FeedForwardProj;
  /** true: lm_head is shared.weight and the decoder output is scaled by d_model^-0.5. FLAN-T5 is false. */
  tie_word_embeddings: boolean;
  /** Padding id (0); also the decoder start id in released T5s. */
  pad_token_id: number;
  /** End of sequence id (1), appended by the tokenizer. */
  eos_token_id: number;
  /** First decoder input (0). */
  decoder_start_token_id: number;
}

export const T5_DEFAULTS: T5Config = {
  vocab_size: 32128,
  d_model: 512,
  d_kv: 64,
  d_ff: 2048,
  num_layers: 6,
  num_decoder_layers: 6,
  num_heads: 8,
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  dropout_rate: 0.1,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
  pad_token_id: 0,
  eos_token_id: 1,
  decoder_start_token_id: 0,
};

const POSITIVE_INTS = [
  'vocab_size', 'd_model', 'd_kv', 'd_ff', 'num_layers', 'num_decoder_layers', 'num_heads',
  'relative_attention_num_buckets', 'relative_attention_max_distance',
] as const;
const TOKEN_IDS = ['pad_token_id', 'eos_token_id', 'decoder_start_token_id'] as const;
const FEED_FORWARD: readonly FeedForwardProj[] = ['gated-gelu', 'relu'];

/**
 * Read a config.json object. Absent keys take HF's defaults (tie_word_embeddings absent means true); present keys
 * of the wrong type or range throw an Error naming the file and the field. Keys T5 does not use are ignored
 * (real configs carry architectures, task_specific_params, ...).
 */
export function parseT5Config(json: unknown, fileName = 'config.json'): T5Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${fileName}: expected a JSON object`);
  }
  const raw = json as Record<string, unknown>;
  const bad = (field: string, want: string) =>
    new Error(`${fileName}: field "${field}" must be ${want}, got ${JSON.stringify(raw[field])}`);
  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 't5' && modelType !== 'mt5') {
    throw new Error(`${fileName}: model_type ${JSON.stringify(modelType)} is not a T5 model (expected "t5")`);
  }
  const c: T5Config = { ...T5_DEFAULTS };
  for (const f of POSITIVE_INTS) {
    if (raw[f] === undefined || raw[f] === null) continue;
    if (!Number.isInteger(raw[f]) || (raw[f] as number) <= 0) throw bad(f, 'a positive integer');
    c[f] = raw[f] as number;
  }
  if (raw.num_decoder_layers === undefined || raw.num_decoder_layers === null) c.num_decoder_layers = c.num_layers;
  for (const f of TOKEN_IDS) {
    if (raw[f] === undefined || raw[f] === null) continue;
    if (!Number.isInteger(raw[f]) || (raw[f] as number) < 0) throw bad(f, 'a non-negative integer token id');
    c[f] = raw[f] as number;
  }
  if (raw.decoder_start_token_id === undefined || raw.decoder_start_token_id === null) {
    c.decoder_start_token_id = c.pad_token_id;
  }
  for (const f of ['dropout_rate', 'layer_norm_epsilon'] as const) {
    if (raw[f] === undefined) continue;
    if (typeof raw[f] !== 'number' || !Number.isFinite(raw[f]) || (raw[f] as number) < 0) throw bad(f, 'a non-negative number');
    c[f] = raw[f] as number;
  }
  if (c.dropout_rate >= 1) throw bad('dropout_rate', 'below 1');
  if (raw.feed_forward_proj !== undefined) {
    if (!FEED_FORWARD.includes(raw.feed_forward_proj as FeedForwardProj)) {
      throw bad('feed_forward_proj', `one of ${FEED_FORWARD.map((s) => `"${s}"`).join(', ')}`);
    }
    c.feed_forward_proj = raw.feed_forward_proj as FeedForwardProj;
  }
  if (raw.tie_word_embeddings !== undefined) {
    if (typeof raw.tie_word_embeddings !== 'boolean') throw bad('tie_word_embeddings', 'true or false');
    c.tie_word_embeddings = raw.tie_word_embeddings;
  }
  for (const f of TOKEN_IDS) {
    if (c[f] >= c.vocab_size) throw bad(f, `below vocab_size ${c.vocab_size}`);
  }
  return c;
}

/** Apply overrides to a config: unknown keys and wrong types are rejected (a typo must not silently do nothing). */
export function overrideT5Config(base: T5Config, overrides: Record<string, unknown>, label = 'overrides'): T5Config {
  for (const key of Object.keys(overrides)) {
    if (!(key in T5_DEFAULTS)) throw new Error(`${label}: unknown T5 config field "${key}"`);
  }
  const merged = parseT5Config({ ...base, ...overrides }, label);
  if (overrides.num_decoder_layers === undefined) merged.num_decoder_layers = base.num_decoder_layers;
  return merged;
}

/** config.json as Hugging Face writes it (with the derived keys transformers expects). */
export function t5ConfigToJson(c: T5Config): Record<string, unknown> {
  const gated = c.feed_forward_proj === 'gated-gelu';
  return {
    architectures: ['T5ForConditionalGeneration'],
    model_type: 't5',
    ...c,
    dense_act_fn: gated ? 'gelu_new' : 'relu',
    is_gated_act: gated,
    is_encoder_decoder: true,
    initializer_factor: 1.0,
    use_cache: true,
    torch_dtype: 'float32',
  };
}
