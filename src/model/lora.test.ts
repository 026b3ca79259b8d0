// LoRA adapters: PEFT target matching, presets and stacks, Kaiming-uniform A and zero B (a no-op until trained),
// frozen base, and the memory ledger: gradients and AdamW moments exist for A and B only.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { AdamW } from '../train/optimizer';
import { adapterElements, attachLora, detachLora, kaimingUniformA, LORA_DEFAULTS, loraScaling, loraTargetModules, matchesTarget } from './lora';
import { goldenBatch, harness, labelLogits, tinyModel } from './lora.testing';
import { seededRandom } from '../common/random';
import { tinyCheckpoint } from '../testing/checkpoint';
import { largestGradientMismatch } from '../testing/finite-diff';

describe('LoRA target matching (PEFT rules)', () => {
  it('"o" matches SelfAttention.o and EncDecAttention.o but not DenseReluDense.wo', () => {
    expect(matchesTarget('decoder.block.0.layer.0.SelfAttention.o', 'o')).toBe(true);
    expect(matchesTarget('decoder.block.0.layer.1.EncDecAttention.o', 'o')).toBe(true);
    expect(matchesTarget('decoder.block.0.layer.2.DenseReluDense.wo', 'o')).toBe(false);
    expect(matchesTarget('encoder.block.1.layer.0.SelfAttention.q', 'SelfAttention.q')).toBe(true);
    expect(matchesTarget('encoder.block.1.layer.0.SelfAttention.q', 'q')).toBe(true);
  });

  it('presets, stacks and refusals', async () => {
    const { config } = await tinyCheckpoint('untied-gated'); // 2 + 2 layers, gated
    const qv = loraTargetModules(config, 'attention', ['encoder', 'decoder']).map((m) => m.path);
    // encoder: q, v per block; decoder: q, v of self and cross attention per block
    expect(qv.length).toBe(2 * 2 + 2 * 4);
    expect(qv.every((p) => p.endsWith('.q') || p.endsWith('.v'))).toBe(true);
    expect(qv).toContain('decoder.block.1.layer.1.EncDecAttention.v');
    const all = loraTargetModules(config, 'all-linear', ['encoder', 'decoder']);
    // encoder block: q k v o wi_0 wi_1 wo = 7; decoder block: 4 + 4 + 3 = 11; never lm_head
    expect(all.length).toBe(2 * 7 + 2 * 11);
    expect(all.some((m) => m.path.includes('lm_head'))).toBe(false);
    const enc = loraTargetModules(config, ['o'], ['encoder']).map((m) => m.path);
    expect(enc).toEqual(['encoder.block.0.layer.0.SelfAttention.o', 'encoder.block.1.layer.0.SelfAttention.o']);
    const wo = all.find((m) => m.path === 'encoder.block.0.layer.1.DenseReluDense.wo')!;
    expect([wo.out, wo.in]).toEqual([config.d_model, config.d_ff]);
    expect(() => loraTargetModules(config, ['wi'], ['encoder', 'decoder'])).toThrow(/match no linear module/);
    expect(() => loraTargetModules(config, 'everything' as never, ['encoder'])).toThrow(/unknown LoRA preset "everything"/);
  });

  it('defaults follow the paper; scaling alpha/r or alpha/sqrt(r)', () => {
    expect(LORA_DEFAULTS).toMatchObject({ targets: 'all-linear', r: 128, alpha: 512, dropout: 0.05, rslora: false });
    expect(loraScaling(512, 128, false)).toBe(4);
    expect(loraScaling(16, 4, true)).toBe(8);
  });

  it('A is U(-1/sqrt(in), 1/sqrt(in)) and seeded', () => {
    const a = kaimingUniformA(8, 100, seededRandom(1));
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...a)).toBeLessThanOrEqual(bound);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-bound);
    // spread over the interval: variance of U(-b, b) is b^2/3
    const variance = a.reduce((s, v) => s + v * v, 0) / a.length;
    expect(variance).toBeGreaterThan((bound * bound) / 3 * 0.7);
    expect(variance).toBeLessThan((bound * bound) / 3 * 1.3);
    expect(kaimingUniformA(8, 100, seededRandom(1))).toEqual(a);
    expect(kaimingUniformA(8, 100, seededRandom(2))).not.toEqual(a);
  });
});

describe('attachLora on a tiny T5', () => {
  it('an untrained adapter is a no-op: identical logits, B zero, A non-zero', async () => {
    const gpu = await testGpu();
    const batch = goldenBatch('untied-gated-all');
    const h = await harness(await tinyModel('untied-gated'));
    const base = await labelLogits(h, batch);
    const adapters = attachLora(gpu, h.model, { r: 4, alpha: 16, dropout: 0, seed: 3 });
    expect(adapters.length).toBe(36);
    const withLora = await labelLogits(h, batch);
    expect(withLora).toEqual(base);
    const a0 = await gpu.readF32(adapters[0].A.value);
    expect(a0.some((v) => v !== 0)).toBe(true);
    expect((await gpu.readF32(adapters[0].B.value)).every((v) => v === 0)).toBe(true);
    // different modules draw different A
    expect(await gpu.readF32(adapters[1].A.value)).not.toEqual(a0);
    h.free();
  });

  it('freezes the base; grads and AdamW moments hold exactly the adapter bytes', async () => {
    const gpu = await testGpu();
    // a model loaded for full fine-tuning: attachLora must release the base gradients
    const { config, weights } = await tinyCheckpoint('tied-relu');
    const { loadT5 } = await import('./t5-model');
    const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true });
    const before = gpu.memory().live;
    expect(before.grads).toBeGreaterThan(0);
    attachLora(gpu, model, { targets: 'attention', r: 2, alpha: 4, dropout: 0.05 });
    const adapterBytes = adapterElements(model) * 4;
    expect(adapterBytes).toBe(12 * 2 * (32 + 32) * 4); // 12 q/v modules, r 2, in d_model 32 + out NH*D 32
    const after = gpu.memory().live;
    expect(after.grads).toBe(adapterBytes);
    expect(after.weights - before.weights).toBe(adapterBytes);
    expect([...model.params.params.values()].every((p) => p.grad === null)).toBe(true);
    expect(model.params.trainable().map((p) => p.kind)).toEqual(Array(24).fill('lora'));
    const opt = new AdamW(gpu, model.params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
    expect(gpu.memory().live.optimizer - before.optimizer).toBe(2 * adapterBytes);
    opt.free();
    detachLora(gpu, model);
    expect(gpu.memory().live.grads).toBe(0);
    expect(gpu.memory().live.weights).toBe(before.weights);
    model.params.free();
  });

  it('a training step changes A and B only (LoRA dropout on)', async () => {
    const gpu = await testGpu();
    const h = await harness(await tinyModel('untied-gated'));
    attachLora(gpu, h.model, { r: 4, alpha: 16, dropout: 0.1, seed: 5 });
    const frozen = h.model.params.dense('encoder.block.0.layer.0.SelfAttention.q.weight');
    const w0 = await gpu.readF32(frozen.value);
    const ad = h.model.params.adapters.get('encoder.block.0.layer.0.SelfAttention.q')!;
    const a0 = await gpu.readF32(ad.A.value);
    const opt = new AdamW(gpu, h.model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
    const step = async (seed: number) => {
      h.model.params.zeroGrads();
      await h.step.run(goldenBatch('untied-gated-all'), { train: true, backward: true, seed, weights: { label: 0.5, rationale: 0.5 } });
      opt.apply();
    };
    // B starts at 0, so A's first gradient is s * B^T (...) = 0: the first step moves B only, the second A too.
    await step(7);
    expect(await gpu.readF32(ad.A.value)).toEqual(a0);
    expect((await gpu.readF32(ad.B.value)).some((v) => v !== 0)).toBe(true);
    await step(8);
    expect(await gpu.readF32(ad.A.value)).not.toEqual(a0);
    expect(await gpu.readF32(frozen.value)).toEqual(w0);
    opt.free();
    h.free();
  });

  for (const nf4 of [false, true]) it(`A and B gradients with LoRA dropout on match finite differences of the dropped-out loss${nf4 ? ' (NF4 base)' : ''}`, async () => {
    // The adapters' input masks are drawn inside A's matmuls in forward and again in backward (dA, dx), and the
    // adapter's layers and the sub-layer output dropout run inside the base weight's matmul: a mask that differed
    // between forward and backward, or a misplaced term, would show here.
    const gpu = await testGpu();
    const h = await harness(await tinyModel('untied-gated', nf4 ? {} : undefined));
    attachLora(gpu, h.model, { r: 4, alpha: 16, dropout: 0.3, seed: 5 });
    const random = seededRandom(9);
    for (const a of h.model.params.adapters.values()) gpu.write(a.B.value, Float32Array.from({ length: a.B.shape[0] * a.r }, () => (random() - 0.5) * 0.2));
    const batch = goldenBatch('untied-gated-all');
    const run = (backward: boolean) => h.step.run(batch, { train: true, backward, seed: 11, weights: { label: 0.5, rationale: 0.5 } });
    h.model.params.zeroGrads();
    await run(true);
    const paths = ['encoder.block.0.layer.0.SelfAttention.q', 'encoder.block.1.layer.1.DenseReluDense.wi_1', 'decoder.block.0.layer.1.EncDecAttention.k', 'decoder.block.1.layer.2.DenseReluDense.wo'];
    const problems: string[] = [];
    const step = 2e-3;
    for (const path of paths) {
      const ad = h.model.params.adapters.get(path)!;
      for (const p of [ad.A, ad.B]) {
        const problem = await largestGradientMismatch(gpu, p, async () => {
          const l = await run(false);
          return 0.5 * l.label + 0.5 * l.rationale!;
        }, step);
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
    h.free();
  });
});
