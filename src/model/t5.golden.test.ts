// The whole model against PyTorch (tools/t5_reference.py golden, float64, Hugging Face T5 semantics):
// logits, DSS losses, every parameter gradient, one AdamW step, and greedy generations.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../gpu/tensor';
import { FIXTURES, readJson, readSafetensorsFile, tensorMismatch, tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { mixLosses, taskWeights } from '../train/mix';
import { AdamW } from '../train/optimizer';
import { parseDssBatch } from './batch';
import { DssStep } from './dss-step';
import { loadT5, type T5Model } from './t5-model';
import { T5Runner } from './t5-runner';
import { T5Generator } from './generate';

interface Expected {
  loss_label: number;
  loss_rationale: number;
  loss_total: number;
  logits_label: { shape: number[]; values: number[] };
  adamw: { lr: number; betas: [number, number]; eps: number; weight_decay: number; max_grad_norm: number };
  greedy: { max_new_tokens: number; tokens: number[][] };
}

async function setup(name: string, trainBase = true) {
  const gpu = await testGpu();
  const { config, weights } = await tinyCheckpoint(name);
  const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase });
  const dir = `${FIXTURES}golden/${name}/`;
  const batch = parseDssBatch(readJson(`${dir}batch.json`), `${dir}batch.json`);
  const expected = readJson<Expected>(`${dir}expected.json`);
  // Room for both tasks' rows: the DSS step runs them as one pass, as training does.
  const capacity = { B: 4, Tin: 6, Tout: 7 };
  const runner = new T5Runner(gpu, model.dims, model.params, capacity);
  const step = new DssStep(gpu, model, runner);
  return { gpu, model, batch, expected, runner, step, dir };
}

async function readParam(model: T5Model, pick: (name: string) => Tensor | null) {
  const gpu = await testGpu();
  const out = new Map<string, Float32Array>();
  for (const p of model.params.params.values()) {
    const t = pick(p.name);
    if (t) out.set(p.name, await gpu.readF32(t));
  }
  return out;
}

async function greedyFor(name: string) {
  const { gpu, model, batch, expected } = await setup(name, false);
  const gen = new T5Generator(model, gpu, 2, 6, expected.greedy.max_new_tokens);
  const tokens = await gen.generate(batch.label.input_ids, batch.label.attention_mask, { maxNewTokens: expected.greedy.max_new_tokens });
  return { gpu, model, batch, expected, gen, tokens };
}

for (const name of ['tied-relu', 'untied-gated']) {
  describe(`T5 ${name} matches PyTorch`, () => {
    it('label logits (1e-4) and DSS losses (1e-5)', async () => {
      const { model, batch, expected, runner, step } = await setup(name);
      const losses = await step.run(batch, { train: false, backward: false, seed: 0, weights: taskWeights(batch.alpha) });
      expect(Math.abs(losses.label - expected.loss_label) / expected.loss_label).toBeLessThan(1e-5);
      expect(Math.abs(losses.rationale! - expected.loss_rationale) / expected.loss_rationale).toBeLessThan(1e-5);
      expect(Math.abs(mixLosses(batch.alpha, losses).total - expected.loss_total) / expected.loss_total).toBeLessThan(1e-5);
      // The rationale pass ran last; run the label task alone to read its logits.
      const gpu = await testGpu();
      const only = await step.run({ label: batch.label }, { train: false, backward: false, seed: 0, weights: taskWeights(1) });
      expect(only.label).toBeCloseTo(expected.loss_label, 5);
      const [B, T, V] = expected.logits_label.shape;
      const logits = (await gpu.readF32(runner.records.tensor('logits', () => 0))).subarray(0, B * T * V);
      expect(tensorMismatch('logits', logits, expected.logits_label.values, 1e-4)).toBeNull();
      step.free();
      runner.free();
      model.params.free();
    });

    it('every parameter gradient (1e-3 relative per tensor)', async () => {
      const { model, batch, runner, step, dir } = await setup(name);
      model.params.zeroGrads();
      await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) });
      const grads = await readParam(model, (n) => model.params.get(n).grad);
      const golden = await readSafetensorsFile(`${dir}grads.safetensors`);
      const problems: string[] = [];
      for (const [n, ref] of golden) {
        const got = grads.get(n);
        if (!got) problems.push(`${n}: no gradient`);
        else {
          const m = tensorMismatch(n, got, ref, 1e-3);
          if (m) problems.push(m);
        }
      }
      expect(grads.size).toBe(golden.size);
      expect(problems).toEqual([]);
      step.free();
      runner.free();
      model.params.free();
    });

    it('greedy generation with the KV cache gives identical tokens', async () => {
      const { model, expected, gen, tokens } = await greedyFor(name);
      // PyTorch rows stop at eos and are padded; ours are too, but only up to the longest row.
      const width = tokens.reduce((m, r) => Math.max(m, r.length), 0);
      expect(tokens).toEqual(expected.greedy.tokens.map((r) => r.slice(0, width)));
      gen.free();
      model.params.free();
    });

    it('beam search with one beam follows the greedy path; three beams give one hypothesis per row', async () => {
      const { gpu, model, batch, expected, gen, tokens } = await greedyFor(name);
      const one = await gen.generateBeams(batch.label.input_ids, batch.label.attention_mask, { maxNewTokens: expected.greedy.max_new_tokens, numBeams: 1 });
      // A finished beam drops the padding greedy keeps after eos.
      expect(one).toEqual(tokens.map((r) => (r.includes(1) ? r.slice(0, r.indexOf(1) + 1) : r)));
      gen.free();
      const wide = new T5Generator(model, gpu, 6, 6, expected.greedy.max_new_tokens);
      const beams = await wide.generate(batch.label.input_ids, batch.label.attention_mask, { maxNewTokens: 3, numBeams: 3 });
      expect(beams).toHaveLength(2);
      for (const row of beams) expect(row.length).toBeGreaterThan(0);
      wide.free();
      model.params.free();
    });

    it('one AdamW step with clipping and decay on matrices', async () => {
      const { gpu, model, batch, expected, runner, step, dir } = await setup(name);
      const h = expected.adamw;
      const opt = new AdamW(gpu, model.params, { lr: h.lr, beta1: h.betas[0], beta2: h.betas[1], eps: h.eps, weightDecay: h.weight_decay, maxGradNorm: h.max_grad_norm });
      model.params.zeroGrads();
      await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) });
      opt.apply();
      const after = await readParam(model, (n) => model.params.value(n));
      const golden = await readSafetensorsFile(`${dir}adamw.safetensors`);
      const problems: string[] = [];
      for (const [n, ref] of golden) {
        const m = tensorMismatch(n, after.get(n)!, ref, 1e-5, 1e-6);
        if (m) problems.push(m);
      }
      expect(problems).toEqual([]);
      opt.free();
      step.free();
      runner.free();
      model.params.free();
    });
  });
}
