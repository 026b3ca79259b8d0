import { describe, expect, it } from 'vitest';
import { T5_PRESETS, estimateMemory, overrideT5Config, parseT5Config, t5ConfigToJson } from './config';
import { parameterCount } from './hf-names';

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

describe('parameter counts and memory', () => {
  it('matches the published FLAN-T5 sizes (77M, 248M, 783M, 2.85B)', () => {
    expect(parameterCount(T5_PRESETS['google/flan-t5-small'])).toBe(76961152);
    expect(parameterCount(T5_PRESETS['google/flan-t5-base'])).toBe(247577856);
    expect(Math.round(parameterCount(T5_PRESETS['google/flan-t5-large']) / 1e6)).toBe(783);
    expect(Math.round(parameterCount(T5_PRESETS['google/flan-t5-xl']) / 1e7)).toBe(285);
  });
  it('estimates full fine-tuning as 16 bytes per parameter plus activations, LoRA and QLoRA far less', () => {
    const c = T5_PRESETS['google/flan-t5-small'];
    const shape = { batch: 8, inputLength: 64, targetLength: 64 };
    const full = estimateMemory(c, { ...shape, method: 'full' });
    expect(full.weights).toBe(full.totalParams * 4);
    expect(full.grads + full.optimizer).toBe(full.totalParams * 12);
    expect(full.total).toBe(full.weights + full.grads + full.optimizer + full.activations);
    const lora = estimateMemory(c, { ...shape, method: 'lora', loraRank: 8, loraTargets: ['q', 'v'] });
    // q and v in 8 encoder self, 8 decoder self and 8 decoder cross attentions: 48 * 8 * (512 + 384).
    expect(lora.trainableParams).toBe(48 * 8 * (512 + 384));
    expect(lora.activations).toBe(full.activations);
    const qlora = estimateMemory(c, { ...shape, method: 'qlora', loraRank: 8, loraTargets: ['q', 'v'] });
    expect(qlora.weights).toBeLessThan(lora.weights * 0.75);
    expect(qlora.trainableParams).toBe(lora.trainableParams);
  });
  it('defaults to a new run: LoRA r 128 on every linear, NF4 with an f32 absmax per 64 (no double quantization)', () => {
    const c = T5_PRESETS['google/flan-t5-small'];
    const shape = { batch: 1, inputLength: 8, targetLength: 8 };
    const lora = estimateMemory(c, { ...shape, method: 'lora' });
    // Per encoder block: q,k,v (512->384), o (384->512), wi_0, wi_1 (512->1024), wo (1024->512); decoder adds cross q,k,v,o.
    const attn = 3 * (512 + 384) + (384 + 512);
    const ffn = 2 * (512 + 1024) + (1024 + 512);
    expect(lora.trainableParams).toBe(128 * (8 * (attn + ffn) + 8 * (2 * attn + ffn)));
    const qlora = estimateMemory(c, { ...shape, method: 'qlora' });
    const double = estimateMemory(c, { ...shape, method: 'qlora', doubleQuant: true });
    expect(double.weights).toBeLessThan(qlora.weights);
  });
});
