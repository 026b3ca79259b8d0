// Tiny random T5 checkpoints in the exact Hugging Face layout (config.json, model.safetensors or shards + index,
// tokenizer.json, tokenizer_config.json, special_tokens_map.json) for tests and the offline demo.
// Weights follow HF T5PreTrainedModel._init_weights with initializer_factor 1.0, from a seeded PRNG.
import { seededRandom } from '../common/random';
import { type T5Config, T5_DEFAULTS, t5ConfigToJson } from '../model/config';
import { type ParameterSpec, t5ParameterSpecs } from '../model/hf-names';
import { type SafetensorsDtype, type TensorToWrite, serializeSafetensors, serializeSharded } from './safetensors';
import { makeTinyTokenizer } from './tiny-tokenizer';

export interface TinyT5Options {
  dModel: number;
  layers: number;
  decoderLayers: number;
  heads: number;
  dKv: number;
  dFf: number;
  vocab: number;
  tied: boolean;
  ffn: 'gated-gelu' | 'relu';
  dtype: 'f32' | 'f16' | 'bf16';
  seed: number;
  /** 1: model.safetensors; N > 1: model-0000k-of-0000N.safetensors + model.safetensors.index.json. */
  shards: number;
  /** Embedding rows past the tokenizer's pieces (FLAN-T5 has 28), free for added tokens. */
  spareRows: number;
  /** Characters the tokenizer leaves out (see makeTinyTokenizer), e.g. "{}" as in T5's own vocabulary. */
  omitChars: string;
}

export const TINY_T5_DEFAULTS: TinyT5Options = {
  dModel: 64, layers: 2, decoderLayers: 2, heads: 4, dKv: 16, dFf: 128, vocab: 200,
  tied: false, ffn: 'gated-gelu', dtype: 'f32', seed: 1, shards: 1, spareRows: 0, omitChars: '',
};

export function tinyT5Config(o: TinyT5Options): T5Config {
  return {
    ...T5_DEFAULTS,
    vocab_size: o.vocab, d_model: o.dModel, d_kv: o.dKv, d_ff: o.dFf, num_layers: o.layers,
    num_decoder_layers: o.decoderLayers, num_heads: o.heads, feed_forward_proj: o.ffn, tie_word_embeddings: o.tied,
  };
}

/** Seeded normal samples: mulberry32 uniform -> Box-Muller. Same seed, same checkpoint, on every platform. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u1 = 1 - uniform(); // (0, 1]
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** HF _init_weights standard deviations (factor 1.0); norms are ones (std 0). */
export function initStd(spec: ParameterSpec, c: T5Config): number {
  const leaf = spec.name.split('.').slice(-2, -1)[0];
  switch (spec.kind) {
    case 'embedding':
    case 'lm_head':
      return 1;
    case 'norm':
      return 0;
    case 'relative_bias':
      return c.d_model ** -0.5;
    case 'linear':
      if (leaf === 'q') return (c.d_model * c.d_kv) ** -0.5;
      if (leaf === 'k' || leaf === 'v') return c.d_model ** -0.5;
      if (leaf === 'o') return (c.num_heads * c.d_kv) ** -0.5;
      if (leaf === 'wo') return c.d_ff ** -0.5;
      return c.d_model ** -0.5; // wi, wi_0, wi_1
  }
}

export function tinyT5Weights(c: T5Config, seed: number): Map<string, Float32Array> {
  const normal = seededNormal(seed);
  const out = new Map<string, Float32Array>();
  for (const spec of t5ParameterSpecs(c)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const std = initStd(spec, c);
    for (let i = 0; i < n; i++) data[i] = spec.kind === 'norm' ? 1 : normal() * std;
    out.set(spec.name, data);
  }
  return out;
}

const DTYPES: Record<TinyT5Options['dtype'], SafetensorsDtype> = { f32: 'F32', f16: 'F16', bf16: 'BF16' };

/** All files of a tiny checkpoint folder, file name -> bytes or text. */
export function makeTinyT5(options: Partial<TinyT5Options> = {}): Map<string, Uint8Array | string> {
  const o = { ...TINY_T5_DEFAULTS, ...options };
  const config = tinyT5Config(o);
  if (!(Number.isInteger(o.spareRows) && o.spareRows >= 0 && o.spareRows < o.vocab)) throw new Error(`spareRows must be a whole number below vocab ${o.vocab}, got ${o.spareRows}`);
  const tokenizer = makeTinyTokenizer(o.vocab - o.spareRows, { omit: o.omitChars });
  const weights = tinyT5Weights(config, o.seed);
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of t5ParameterSpecs(config)) {
    tensors.set(spec.name, { dtype: DTYPES[o.dtype], shape: spec.shape, data: weights.get(spec.name)! });
  }
  const files = new Map<string, Uint8Array | string>();
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  files.set('config.json', json({ ...t5ConfigToJson(config), torch_dtype: { f32: 'float32', f16: 'float16', bf16: 'bfloat16' }[o.dtype] }));
  if (o.shards > 1) for (const [name, data] of serializeSharded(tensors, o.shards)) files.set(name, data);
  else files.set('model.safetensors', serializeSafetensors(tensors));
  files.set('tokenizer.json', `${JSON.stringify(tokenizer.tokenizerJson)}\n`); // compact, like HF's own
  files.set('tokenizer_config.json', json(tokenizer.tokenizerConfig));
  files.set('special_tokens_map.json', json(tokenizer.specialTokensMap));
  return files;
}
