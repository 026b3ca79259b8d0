import { describe, expect, it } from 'vitest';
import { T5_DEFAULTS, type T5Config } from './config';
import { matchT5Tensors, t5ParameterSpecs } from './hf-names';

const tiny: T5Config = {
  ...T5_DEFAULTS, vocab_size: 10, d_model: 4, d_kv: 2, d_ff: 6, num_layers: 2, num_decoder_layers: 1, num_heads: 3,
  feed_forward_proj: 'gated-gelu', tie_word_embeddings: false,
};

const shapes = (c: T5Config) => new Map(t5ParameterSpecs(c).map((s) => [s.name, s.shape] as [string, number[]]));

describe('t5ParameterSpecs', () => {
  it('lists the HF names and PyTorch shapes of a gated untied model', () => {
    const m = shapes(tiny);
    expect(m.get('shared.weight')).toEqual([10, 4]);
    expect(m.get('encoder.block.0.layer.0.SelfAttention.q.weight')).toEqual([6, 4]);
    expect(m.get('encoder.block.1.layer.0.SelfAttention.o.weight')).toEqual([4, 6]);
    expect(m.get('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')).toEqual([32, 3]);
    expect(m.has('encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight')).toBe(false);
    expect(m.get('encoder.block.1.layer.1.DenseReluDense.wi_1.weight')).toEqual([6, 4]);
    expect(m.get('encoder.block.1.layer.1.DenseReluDense.wo.weight')).toEqual([4, 6]);
    expect(m.get('decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')).toEqual([32, 3]);
    expect(m.get('decoder.block.0.layer.1.EncDecAttention.k.weight')).toEqual([6, 4]);
    expect(m.has('decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight')).toBe(false);
    expect(m.get('decoder.block.0.layer.2.layer_norm.weight')).toEqual([4]);
    expect(m.get('decoder.final_layer_norm.weight')).toEqual([4]);
    expect(m.get('lm_head.weight')).toEqual([10, 4]);
    // 1 shared + enc 2*(4 attn + 1 norm + 3 ffn + 1 norm) + 1 bias + 1 final + dec (4+1+4+1+3+1) + 1 bias + 1 final + lm_head
    expect(m.size).toBe(1 + 18 + 1 + 1 + 14 + 1 + 1 + 1);
  });
  it('tied relu models have a single wi and no lm_head', () => {
    const m = shapes({ ...tiny, feed_forward_proj: 'relu', tie_word_embeddings: true });
    expect(m.get('encoder.block.0.layer.1.DenseReluDense.wi.weight')).toEqual([6, 4]);
    expect(m.has('encoder.block.0.layer.1.DenseReluDense.wi_0.weight')).toBe(false);
    expect(m.has('lm_head.weight')).toBe(false);
  });
});

describe('matchT5Tensors', () => {
  it('accepts tied duplicates and the old cross-attention bias, and reads shared from an alias', () => {
    const stored = shapes({ ...tiny, tie_word_embeddings: true });
    stored.set('encoder.embed_tokens.weight', [10, 4]);
    stored.set('lm_head.weight', [10, 4]);
    stored.set('decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight', [32, 3]);
    const m = matchT5Tensors({ ...tiny, tie_word_embeddings: true }, stored, 'dir');
    expect(m.ignored.sort()).toEqual(['decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight', 'encoder.embed_tokens.weight', 'lm_head.weight']);
    stored.delete('shared.weight');
    const aliased = matchT5Tensors({ ...tiny, tie_word_embeddings: true }, stored, 'dir');
    expect(aliased.storedName.get('shared.weight')).toBe('encoder.embed_tokens.weight');
  });
  it('names every missing, unexpected and mis-shaped tensor', () => {
    const stored = shapes(tiny);
    stored.delete('lm_head.weight');
    stored.set('encoder.block.0.layer.0.SelfAttention.q.weight', [4, 6]);
    stored.set('encoder.block.9.layer.0.SelfAttention.q.weight', [6, 4]);
    expect(() => matchT5Tensors(tiny, stored, 'my-folder')).toThrow(
      /my-folder: tensors do not match config\.json \(gated-gelu, untied, 2\+1 layers, d_model 4\)\n {2}missing \(1\): lm_head\.weight\n {2}unexpected \(1\): encoder\.block\.9\.layer\.0\.SelfAttention\.q\.weight\n {2}wrong shape \(1\): encoder\.block\.0\.layer\.0\.SelfAttention\.q\.weight: expected \[6, 4\], found \[4, 6\]/,
    );
  });
});
