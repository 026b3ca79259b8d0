import { describe, expect, it } from 'vitest';
import { T5_PRESETS } from '../settings/models';
import { overrideT5Config, parseT5Config, t5ConfigToJson } from './config';

// google/flan-t5-small config.json (the keys that matter, plus some T5 ignores).
const FLAN_SMALL_JSON = {
  architectures: ['T5ForConditionalGeneration'], d_ff: 1024, d_kv: 64, d_model: 512, decoder_start_token_id: 0,
  dense_act_fn: 'gelu_new', dropout_rate: 0.1, eos_token_id: 1, feed_forward_proj: 'gated-gelu',
  initializer_factor: 1.0, is_encoder_decoder: true, is_gated_act: true, layer_norm_epsilon: 1e-6, model_type: 't5',
  n_positions: 512, num_decoder_layers: 8, num_heads: 6, num_layers: 8, output_past: true, pad_token_id: 0,
  relative_attention_max_distance: 128, relative_attention_num_buckets: 32, tie_word_embeddings: false,
  use_cache: true, vocab_size: 32128, task_specific_params: { summarization: { prefix: 'summarize: ' } },
};

describe('parseT5Config', () => {
  it('reads a real FLAN-T5 config and equals the preset', () => {
    expect(parseT5Config(FLAN_SMALL_JSON)).toEqual(T5_PRESETS['google/flan-t5-small']);
  });
  it('applies HF defaults: absent tie_word_embeddings is tied, decoder layers follow encoder layers', () => {
    const c = parseT5Config({ d_model: 64, num_layers: 3 });
    expect(c.tie_word_embeddings).toBe(true);
    expect(c.num_decoder_layers).toBe(3);
    expect(c.feed_forward_proj).toBe('relu');
    expect(c.decoder_start_token_id).toBe(0);
  });
  it('rejects wrong types naming the file and field', () => {
    expect(() => parseT5Config({ d_model: '512' }, 'cfg.json')).toThrow(/cfg\.json: field "d_model" must be a positive integer, got "512"/);
    expect(() => parseT5Config({ feed_forward_proj: 'gated-silu' })).toThrow(/"feed_forward_proj" must be one of "gated-gelu", "relu"/);
    expect(() => parseT5Config({ tie_word_embeddings: 'yes' })).toThrow(/"tie_word_embeddings" must be true or false/);
    expect(() => parseT5Config({ layer_norm_epsilon: null })).toThrow(/layer_norm_epsilon/);
    expect(() => parseT5Config({ model_type: 'bart' })).toThrow(/not a T5 model/);
    expect(() => parseT5Config([1])).toThrow(/expected a JSON object/);
    expect(() => parseT5Config({ vocab_size: 10, eos_token_id: 12 })).toThrow(/"eos_token_id" must be below vocab_size 10/);
  });
  it('overrides reject unknown keys and round-trip through config.json', () => {
    const small = T5_PRESETS['google/flan-t5-small'];
    expect(() => overrideT5Config(small, { d_modle: 3 })).toThrow(/unknown T5 config field "d_modle"/);
    expect(overrideT5Config(small, { dropout_rate: 0 }).dropout_rate).toBe(0);
    expect(parseT5Config(t5ConfigToJson(small))).toEqual(small);
  });
});
