// QLoRA's frozen base: which weights become NF4 (facts file: block linears except DenseReluDense.wo), the bytes they
// take against the NF4 theoretical size, and load-time quantization that streams one tensor at a time.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { tinyCheckpoint } from '../testing/checkpoint';
import { attachLora } from './lora';
import { tinyModel } from './lora.testing';
import { frozenNf4Bytes, qloraLoadOptions, qloraQuantizes } from './qlora';
import { loadT5 } from './t5-model';

describe('QLoRA quantization choice', () => {
  it('block linears except wo; never lm_head, embeddings, norms or relative biases', () => {
    const yes = [
      'encoder.block.0.layer.0.SelfAttention.q.weight', 'encoder.block.3.layer.0.SelfAttention.o.weight',
      'decoder.block.1.layer.1.EncDecAttention.k.weight', 'decoder.block.0.layer.2.DenseReluDense.wi_0.weight',
      'encoder.block.0.layer.1.DenseReluDense.wi_1.weight', 'encoder.block.0.layer.1.DenseReluDense.wi.weight',
    ];
    const no = [
      'encoder.block.0.layer.1.DenseReluDense.wo.weight', 'decoder.block.2.layer.2.DenseReluDense.wo.weight', 'lm_head.weight',
      'shared.weight', 'encoder.block.0.layer.0.layer_norm.weight', 'encoder.final_layer_norm.weight',
      'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
    ];
    for (const n of yes) expect(qloraQuantizes(n), n).toBe(true);
    for (const n of no) expect(qloraQuantizes(n), n).toBe(false);
    expect(qloraQuantizes('decoder.block.0.layer.2.DenseReluDense.wo.weight', { quantizeWo: true })).toBe(true);
  });
});

describe('QLoRA base on a tiny T5', () => {
  it('frozen NF4 bytes <= 1.15x the theoretical size (0.5 B per weight + 4 B per 64-block)', async () => {
    const model = await tinyModel('untied-gated', {});
    const b = frozenNf4Bytes(model);
    expect(b.elements).toBeGreaterThan(0);
    expect(b.theoretical).toBe(b.elements / 2 + (4 * b.elements) / 64); // every tiny linear is a multiple of 64
    expect(b.allocated).toBeLessThanOrEqual(1.15 * b.theoretical);
    for (const p of model.params.params.values()) {
      expect(p.grad, p.name).toBeNull();
      expect(p.storage, p.name).toBe(qloraQuantizes(p.name) ? 'nf4' : 'dense');
    }
    model.params.free();
  });

  it('quantizes on the GPU tensor by tensor: scratch never holds more than one f32 tensor', async () => {
    const gpu = await testGpu();
    const { config, weights } = await tinyCheckpoint('untied-gated');
    const largest = Math.max(...[...weights].filter(([n]) => qloraQuantizes(n)).map(([, w]) => w.byteLength));
    const f32Bytes = [...weights.values()].reduce((s, w) => s + w.byteLength, 0);
    const before = gpu.memory();
    gpu.pool.resetPeak();
    const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false, ...qloraLoadOptions() });
    const after = gpu.memory();
    expect(after.peak.scratch - before.live.scratch).toBe(largest);
    expect(after.live.scratch).toBe(before.live.scratch);
    expect(after.peakTotal - before.liveTotal).toBeLessThanOrEqual(after.liveTotal - before.liveTotal + largest);
    expect(after.live.weights - before.live.weights).toBeLessThan(f32Bytes);
    model.params.free();
  });

  it('adapters on an NF4 base train A and B only', async () => {
    const gpu = await testGpu();
    const model = await tinyModel('tied-relu', { doubleQuant: true });
    attachLora(gpu, model, { r: 2, alpha: 8 });
    expect(model.params.trainable().every((p) => p.kind === 'lora')).toBe(true);
    expect(model.params.adapters.size).toBe(2 * 6 + 2 * 10); // enc q k v o wi wo; dec 4 + 4 + wi, wo (relu)
    model.params.free();
  });
});
