// THE one place that lists every Hugging Face T5 parameter name with its shape for a config. Shapes are PyTorch's:
// nn.Linear weight is (out_features, in_features); nn.Embedding is (num_embeddings, dim).
// Legend: V vocab, C d_model, NH heads, D d_kv, F d_ff, NB relative_attention_num_buckets.
import type { ALL_LINEAR_TARGETS } from '../settings/run-config';
import type { T5Config } from './config';

export type ParameterKind = 'embedding' | 'linear' | 'norm' | 'relative_bias' | 'lm_head';
export type T5Stack = 'encoder' | 'decoder';
export type AttentionModule = 'SelfAttention' | 'EncDecAttention';
/**
 * The last path component of T5's linear modules: attention q/k/v/o, gated wi_0/wi_1 or relu wi, and wo. The list is
 * written once, as ALL_LINEAR_TARGETS (settings/run-config.ts, a pure module the settings forms read too).
 */
export type LinearName = (typeof ALL_LINEAR_TARGETS)[number];

/**
 * Hugging Face module paths and parameter names, built here and nowhere else. A block's sub-layers are numbered:
 * encoder [self-attention, feed-forward], decoder [self-attention, cross-attention, feed-forward].
 */
export const hfName = {
  shared: 'shared.weight',
  lmHead: 'lm_head.weight',
  finalLayerNorm: (stack: T5Stack) => `${stack}.final_layer_norm.weight`,
  /** Sub-layer prefixes, e.g. "decoder.block.1.layer.1". */
  selfAttentionLayer: (stack: T5Stack, block: number) => `${stack}.block.${block}.layer.0`,
  crossAttentionLayer: (block: number) => `decoder.block.${block}.layer.1`,
  feedForwardLayer: (stack: T5Stack, block: number) => `${stack}.block.${block}.layer.${stack === 'encoder' ? 1 : 2}`,
  /** The pre-norm weight of a sub-layer. */
  layerNorm: (sublayer: string) => `${sublayer}.layer_norm.weight`,
  attention: (sublayer: string, module: AttentionModule) => `${sublayer}.${module}`,
  feedForward: (sublayer: string) => `${sublayer}.DenseReluDense`,
  /** A linear module's path inside an attention or feed-forward module, e.g. "...SelfAttention.q". */
  linear: (module: string, name: LinearName) => `${module}.${name}`,
  /** Only block 0's self-attention of each stack owns the relative position bias. */
  relativeBias: (stack: T5Stack) => `${hfName.attention(hfName.selfAttentionLayer(stack, 0), 'SelfAttention')}.relative_attention_bias.weight`,
  /** The weight of a module path. */
  weight: (module: string) => `${module}.weight`,
};

export interface ParameterSpec {
  name: string;
  shape: number[];
  kind: ParameterKind;
}

/** Every parameter of T5ForConditionalGeneration in HF state_dict order (minus tied duplicates). */
export function t5ParameterSpecs(c: T5Config): ParameterSpec[] {
  const C = c.d_model;
  const inner = c.num_heads * c.d_kv;
  const n = hfName;
  const specs: ParameterSpec[] = [];
  const add = (name: string, shape: number[], kind: ParameterKind) => specs.push({ name, shape, kind });
  const linear = (module: string, name: LinearName, shape: number[]) => add(n.weight(n.linear(module, name)), shape, 'linear');
  const attention = (stack: T5Stack, sublayer: string, module: AttentionModule, withBias: boolean) => {
    const m = n.attention(sublayer, module);
    linear(m, 'q', [inner, C]); // (NH*D, C)
    linear(m, 'k', [inner, C]);
    linear(m, 'v', [inner, C]);
    linear(m, 'o', [C, inner]); // (C, NH*D)
    if (withBias) add(n.relativeBias(stack), [c.relative_attention_num_buckets, c.num_heads], 'relative_bias');
    add(n.layerNorm(sublayer), [C], 'norm');
  };
  const feedForward = (sublayer: string) => {
    const m = n.feedForward(sublayer);
    if (c.feed_forward_proj === 'gated-gelu') {
      linear(m, 'wi_0', [c.d_ff, C]); // (F, C)
      linear(m, 'wi_1', [c.d_ff, C]);
    } else {
      linear(m, 'wi', [c.d_ff, C]);
    }
    linear(m, 'wo', [C, c.d_ff]); // (C, F)
    add(n.layerNorm(sublayer), [C], 'norm');
  };

  add(n.shared, [c.vocab_size, C], 'embedding'); // (V, C)
  for (let i = 0; i < c.num_layers; i++) {
    attention('encoder', n.selfAttentionLayer('encoder', i), 'SelfAttention', i === 0);
    feedForward(n.feedForwardLayer('encoder', i));
  }
  add(n.finalLayerNorm('encoder'), [C], 'norm');
  for (let i = 0; i < c.num_decoder_layers; i++) {
    attention('decoder', n.selfAttentionLayer('decoder', i), 'SelfAttention', i === 0);
    attention('decoder', n.crossAttentionLayer(i), 'EncDecAttention', false);
    feedForward(n.feedForwardLayer('decoder', i));
  }
  add(n.finalLayerNorm('decoder'), [C], 'norm');
  if (!c.tie_word_embeddings) add(n.lmHead, [c.vocab_size, C], 'lm_head'); // (V, C)
  return specs;
}

export function parameterCount(c: T5Config): number {
  return t5ParameterSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Stored names that may alias shared.weight (HF ties them; some writers keep one of these instead of shared). */
const EMBEDDING_ALIASES = ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'];
/** Old checkpoints carry an unused cross-attention relative bias; HF ignores it and so do we. */
const IGNORED_PATTERN = /^decoder\.block\.\d+\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/;

export interface TensorMatch {
  specs: ParameterSpec[];
  /** spec name -> the stored tensor name to read it from (differs only for embedding aliases). */
  storedName: Map<string, string>;
  /** Stored tensors deliberately not used (tied duplicates, cross-attention relative bias). */
  ignored: string[];
}

/**
 * Match stored tensors against the specs of `config`. Throws one Error that names every missing, unexpected and
 * mis-shaped tensor (with expected and found shapes) and the file or folder `label`.
 */
export function matchT5Tensors(config: T5Config, stored: Map<string, readonly number[]>, label: string): TensorMatch {
  const specs = t5ParameterSpecs(config);
  const wanted = new Set(specs.map((s) => s.name));
  const storedName = new Map<string, string>();
  const ignored: string[] = [];
  const missing: string[] = [];
  const misShaped: string[] = [];
  for (const spec of specs) {
    let name: string | undefined = stored.has(spec.name) ? spec.name : undefined;
    if (!name && spec.name === 'shared.weight') name = EMBEDDING_ALIASES.find((a) => stored.has(a));
    if (!name) {
      missing.push(spec.name);
      continue;
    }
    storedName.set(spec.name, name);
    const shape = stored.get(name)!;
    if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      misShaped.push(`${name}: expected [${spec.shape.join(', ')}], found [${shape.join(', ')}]`);
    }
  }
  const used = new Set(storedName.values());
  const unexpected: string[] = [];
  for (const name of stored.keys()) {
    if (wanted.has(name) || used.has(name)) continue;
    const tiedHead = name === 'lm_head.weight' && config.tie_word_embeddings;
    if (EMBEDDING_ALIASES.includes(name) || IGNORED_PATTERN.test(name) || tiedHead) ignored.push(name);
    else unexpected.push(name);
  }
  if (missing.length || unexpected.length || misShaped.length) {
    const list = (title: string, items: string[]) =>
      items.length ? `\n  ${title} (${items.length}): ${items.slice(0, 12).join('; ')}${items.length > 12 ? '; ...' : ''}` : '';
    const arch = `${config.feed_forward_proj}, ${config.tie_word_embeddings ? 'tied' : 'untied'}, ` +
      `${config.num_layers}+${config.num_decoder_layers} layers, d_model ${config.d_model}`;
    throw new Error(
      `${label}: tensors do not match config.json (${arch})` +
        list('missing', missing) + list('unexpected', unexpected) + list('wrong shape', misShaped),
    );
  }
  return { specs, storedName, ignored };
}
