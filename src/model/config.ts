// T5 architecture configuration, field names exactly as Hugging Face config.json so a file maps one to one.
// Defaults are the ones transformers' T5Config / PretrainedConfig apply when a key is absent.
import { DEFAULT_LORA_RANK } from '../settings/run-config';
import { t5ParameterSpecs } from './hf-names';

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

// ------------------------------------------------------------------------------------------------ memory estimate

export type TuneMethod = 'full' | 'lora' | 'qlora';

export interface MemoryEstimateOptions {
  batch: number;
  inputLength: number;
  targetLength: number;
  method: TuneMethod;
  /** LoRA rank r (lora and qlora); default DEFAULT_LORA_RANK, the paper's (and a new run's) default. */
  loraRank?: number;
  /** LoRA target module names, PEFT matching by last path component; default all linear layers, as a new run. */
  loraTargets?: string[];
  /** QLoRA double quantization of absmax (off by default, like the paper and a new run). */
  doubleQuant?: boolean;
}

export interface MemoryEstimate {
  totalParams: number;
  trainableParams: number;
  /** Bytes. */
  weights: number;
  grads: number;
  optimizer: number;
  activations: number;
  total: number;
}

/** Bytes per element of a frozen NF4 weight: 4-bit codes plus an f32 absmax per 64, or with double quantization a
 *  u8 absmax per 64 and an f32 per 256 blocks. */
const nf4BytesPerElement = (double: boolean) => (double ? 0.5 + 1 / 64 + 4 / (64 * 256) : 0.5 + 4 / 64);
const ALL_LINEAR = ['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wi', 'wo'];

/**
 * Estimate GPU bytes for one training configuration. Everything is f32 (4 bytes) except QLoRA's frozen linears.
 * - weights: all parameters; QLoRA stores every linear except DenseReluDense.wo and lm_head (kept in full precision,
 *   as Transformers does for T5) as NF4; LoRA/QLoRA add the adapters r*(in+out) per targeted linear.
 * - grads: one per trainable element. optimizer: AdamW's two moments, 8 bytes per trainable element.
 * - activations: what the forward pass keeps for backward, per token and layer (B batch, Ti/To lengths, C, F,
 *   I = NH*D): encoder 4C + 4I + NH*Ti + f(F) + 2 rstd; decoder self and cross attention 6C + 6I + NH*(To+Ti) + f(F)
 *   + 3 rstd plus the cross keys/values 2*I*Ti per sequence; f(F) = 4F gated, 2F relu; embeddings (Ti+To)*C;
 *   logits and their gradient 2*To*V. Dropout masks and kernel scratch are not counted: treat it as a lower bound
 *   and compare with the engine's byte accounting, which is the measured figure.
 */
export function estimateMemory(c: T5Config, o: MemoryEstimateOptions): MemoryEstimate {
  const specs = t5ParameterSpecs(c);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const totalParams = specs.reduce((n, s) => n + size(s.shape), 0);
  const rank = o.loraRank ?? DEFAULT_LORA_RANK;
  const targets = o.loraTargets ?? ALL_LINEAR;
  const NF4_BYTES_PER_ELEMENT = nf4BytesPerElement(o.doubleQuant ?? false);
  let loraParams = 0;
  let weights = 0;
  for (const s of specs) {
    const n = size(s.shape);
    const module = s.name.split('.').slice(-2, -1)[0];
    const frozenNf4 = o.method === 'qlora' && s.kind === 'linear' && module !== 'wo';
    weights += frozenNf4 ? n * NF4_BYTES_PER_ELEMENT : n * 4;
    if (o.method !== 'full' && s.kind === 'linear' && targets.includes(module)) loraParams += rank * (s.shape[0] + s.shape[1]);
  }
  weights += loraParams * 4;
  const trainableParams = o.method === 'full' ? totalParams : loraParams;
  const { batch: B, inputLength: Ti, targetLength: To } = o;
  const C = c.d_model;
  const I = c.num_heads * c.d_kv;
  const NH = c.num_heads;
  const f = c.feed_forward_proj === 'gated-gelu' ? 4 * c.d_ff : 2 * c.d_ff;
  const encoderLayer = B * Ti * (4 * C + 4 * I + NH * Ti + f + 2);
  const decoderLayer = B * To * (6 * C + 6 * I + NH * (To + Ti) + f + 3) + B * Ti * 2 * I;
  const floats = c.num_layers * encoderLayer + c.num_decoder_layers * decoderLayer + B * (Ti + To) * C + 2 * B * To * c.vocab_size;
  const activations = floats * 4;
  const grads = trainableParams * 4;
  const optimizer = trainableParams * 8;
  return {
    totalParams, trainableParams, weights: Math.round(weights), grads, optimizer, activations,
    total: Math.round(weights) + grads + optimizer + activations,
  };
}
