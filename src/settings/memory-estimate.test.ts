import { describe, expect, it } from 'vitest';
import { parameterCount } from '../model/hf-names';
import { estimateMemory, largestTrainingBuffer } from './memory-estimate';
import { T5_PRESETS } from './models';

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
  it('names the largest buffer: the logits at a long target, else the biggest weight', () => {
    const c = T5_PRESETS['google/flan-t5-small'];
    expect(largestTrainingBuffer(c, { batch: 8, targetLength: 128 })).toEqual({ what: 'logits (8 × 128 × vocab)', bytes: 4 * 8 * 128 * 32128 });
    expect(largestTrainingBuffer(c, { batch: 1, targetLength: 1 })).toEqual({ what: 'shared.weight', bytes: 4 * 32128 * 512 });
  });
});
