// THE one place that lists every Hugging Face T5 parameter name with its shape for a config. Shapes are PyTorch's:
// nn.Linear weight is (out_features, in_features); nn.Embedding is (num_embeddings, dim).
// Legend: V vocab, C d_model, NH heads, D d_kv, F d_ff, NB relative_attention_num_buckets.
import type { T5Config } from './config';

export type ParameterKind = 'embedding' | 'linear' | 'norm' | 'relative_bias' | 'lm_head';

export interface ParameterSpec {
  name: string;
  shape: number[];
  kind: ParameterKind;
}

/** Every parameter of T5ForConditionalGeneration in HF state_dict order (minus tied duplicates). */
export function t5ParameterSpecs(c: T5Config): ParameterSpec[] {
  const C = c.d_model;
  const inner = c.num_heads * c.d_kv;
  const specs: ParameterSpec[] = [];
  const add = (name: string, shape: number[], kind: ParameterKind) => specs.push({ name, shape, kind });
  const attention = (prefix: string, withBias: boolean) => {
    add(`${prefix}.q.weight`, [inner, C], 'linear'); // (NH*D, C)
    add(`${prefix}.k.weight`, [inner, C], 'linear');
    add(`${prefix}.v.weight`, [inner, C], 'linear');
    add(`${prefix}.o.weight`, [C, inner], 'linear'); // (C, NH*D)
    if (withBias) add(`${prefix}.relative_attention_bias.weight`, [c.relative_attention_num_buckets, c.num_heads], 'relative_bias');
  };
  const feedForward = (prefix: string) => {
    if (c.feed_forward_proj === 'gated-gelu') {
      add(`${prefix}.DenseReluDense.wi_0.weight`, [c.d_ff, C], 'linear'); // (F, C)
      add(`${prefix}.DenseReluDense.wi_1.weight`, [c.d_ff, C], 'linear');
    } else {
      add(`${prefix}.DenseReluDense.wi.weight`, [c.d_ff, C], 'linear');
    }
    add(`${prefix}.DenseReluDense.wo.weight`, [C, c.d_ff], 'linear'); // (C, F)
    add(`${prefix}.layer_norm.weight`, [C], 'norm');
  };

  add('shared.weight', [c.vocab_size, C], 'embedding'); // (V, C)
  for (let i = 0; i < c.num_layers; i++) {
    const b = `encoder.block.${i}.layer`;
    attention(`${b}.0.SelfAttention`, i === 0);
    add(`${b}.0.layer_norm.weight`, [C], 'norm');
    feedForward(`${b}.1`);
  }
  add('encoder.final_layer_norm.weight', [C], 'norm');
  for (let i = 0; i < c.num_decoder_layers; i++) {
    const b = `decoder.block.${i}.layer`;
    attention(`${b}.0.SelfAttention`, i === 0);
    add(`${b}.0.layer_norm.weight`, [C], 'norm');
    attention(`${b}.1.EncDecAttention`, false);
    add(`${b}.1.layer_norm.weight`, [C], 'norm');
    feedForward(`${b}.2`);
  }
  add('decoder.final_layer_norm.weight', [C], 'norm');
  if (!c.tie_word_embeddings) add('lm_head.weight', [c.vocab_size, C], 'lm_head'); // (V, C)
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
