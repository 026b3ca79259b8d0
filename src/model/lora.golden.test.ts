// LoRA and QLoRA against PyTorch (tools/lora_reference.py golden: float64, HF T5 + PEFT LoRA, bnb NF4 algorithm).
// The golden adapters have non-zero B, so the gradients of A are not trivially zero.
import { describe, expect, it } from 'vitest';
import { nf4Read } from '../gpu/kernels/nf4';
import { importAdapter } from '../io/peft';
import { readSafetensorsFile, tensorMismatch } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { GOLDEN_LORA, goldenAdapterSource, goldenBatch, goldenExpected, harness, labelLogits, LORA_CASES, rawSafetensors, relErr, tinyModel, type LoraCase, type LossesJson } from './lora.testing';
import type { TaskLosses } from './dss-step';
import { mixLosses, taskWeights } from '../train/mix';
import type { T5Model } from './t5-model';

function expectLosses(got: TaskLosses, want: LossesJson, rtol: number, a: number): void {
  expect(relErr(got.label, want.loss_label)).toBeLessThan(rtol);
  expect(relErr(got.rationale!, want.loss_rationale)).toBeLessThan(rtol);
  expect(relErr(mixLosses(a, got).total, want.loss_total)).toBeLessThan(rtol);
}

async function adapterGradProblems(model: T5Model, goldenFile: string, rtol: number): Promise<string[]> {
  const gpu = await testGpu();
  const golden = await readSafetensorsFile(goldenFile);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of model.params.adapters.values()) {
    for (const p of [a.A, a.B]) {
      seen.add(p.name);
      const want = golden.get(p.name);
      if (!want) {
        problems.push(`${p.name}: not in the golden file`);
        continue;
      }
      const m = tensorMismatch(p.name, await gpu.readF32(p.grad!), want, rtol);
      if (m) problems.push(m);
    }
  }
  for (const n of golden.keys()) if (!seen.has(n)) problems.push(`${n}: the model has no such adapter tensor`);
  return problems;
}

for (const name of Object.keys(LORA_CASES) as LoraCase[]) {
  const checkpoint = LORA_CASES[name];
  const dir = `${GOLDEN_LORA}${name}/`;

  describe(`LoRA ${name} matches PyTorch`, () => {
    it('losses (1e-5), label logits (1e-4), A and B gradients (1e-3 relative per tensor)', async () => {
      const gpu = await testGpu();
      const model = await tinyModel(checkpoint);
      await importAdapter(gpu, model, goldenAdapterSource(name), { trainable: true });
      const h = await harness(model);
      const batch = goldenBatch(name);
      const expected = goldenExpected(name);
      model.params.zeroGrads();
      expectLosses(await h.step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) }), expected, 1e-5, batch.alpha);
      expect(await adapterGradProblems(model, `${dir}grads.safetensors`, 1e-3)).toEqual([]);
      // Base weights are frozen: only A and B carry gradients.
      expect([...model.params.params.values()].filter((p) => p.grad).map((p) => p.name)).toEqual([]);
      expect(tensorMismatch('logits', await labelLogits(h, batch), expected.logits_label.values, 1e-4)).toBeNull();
      h.free();
    });
  });

  describe(`QLoRA ${name} matches PyTorch`, () => {
    it('NF4 codes and absmax of every quantized weight are identical to the bnb-algorithm reference', async () => {
      const gpu = await testGpu();
      const model = await tinyModel(checkpoint, {});
      const expected = goldenExpected(name);
      const raw = await rawSafetensors(`${dir}nf4.safetensors`);
      const nf4Params = [...model.params.params.values()].filter((p) => p.storage === 'nf4');
      const quantized = nf4Params.map((p) => p.name).sort();
      expect(quantized).toEqual([...expected.nf4_weights].sort());
      for (const { name: n, nf4 } of nf4Params) {
        const got = await nf4Read(gpu, nf4);
        expect(Buffer.from(got.codes).equals(Buffer.from(raw.get(`${n}.codes`)!)), `${n} codes`).toBe(true);
        expect(Buffer.from(got.absmax!.buffer).equals(Buffer.from(raw.get(`${n}.absmax`)!)), `${n} absmax`).toBe(true);
      }
      model.params.free();
    });

    it('loss (1e-5), label logits (1e-4) and A/B gradients (1e-3) through the NF4 base', async () => {
      const gpu = await testGpu();
      const model = await tinyModel(checkpoint, {});
      await importAdapter(gpu, model, goldenAdapterSource(name), { trainable: true });
      const h = await harness(model);
      const batch = goldenBatch(name);
      const expected = goldenExpected(name);
      model.params.zeroGrads();
      expectLosses(await h.step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) }), expected.qlora, 1e-5, batch.alpha);
      expect(await adapterGradProblems(model, `${dir}qlora_grads.safetensors`, 1e-3)).toEqual([]);
      expect(tensorMismatch('qlora logits', await labelLogits(h, batch), expected.qlora.logits_label.values, 1e-4)).toBeNull();
      h.free();
    });

    it('double quantization of absmax: loss (1e-5)', async () => {
      const gpu = await testGpu();
      const model = await tinyModel(checkpoint, { doubleQuant: true });
      expect([...model.params.params.values()].some((p) => p.storage === 'nf4' && p.nf4.double)).toBe(true);
      await importAdapter(gpu, model, goldenAdapterSource(name), { trainable: false });
      const h = await harness(model);
      const batch = goldenBatch(name);
      expectLosses(await h.step.run(batch, { train: false, backward: false, seed: 0, weights: taskWeights(batch.alpha) }), goldenExpected(name).qlora_double_quant, 1e-5, batch.alpha);
      h.free();
    });
  });
}
