// Training-mode behaviour the PyTorch goldens (dropout off) cannot show: dropout masks regenerated exactly in
// backward (checked by finite differences with dropout on), reproducibility per seed, gradient accumulation, and
// both DSS tasks in one pass equal to a pass per task.
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJson, tinyCheckpoint } from '../testing/checkpoint';
import { largestGradientMismatch } from '../testing/finite-diff';
import { testGpu } from '../testing/gpu';
import { taskWeights } from '../train/mix';
import { parseDssBatch } from './batch';
import type { Gpu } from '../gpu/gpu';
import { DssStep } from './dss-step';
import { loadT5, type T5Model } from './t5-model';
import { T5Runner } from './t5-runner';

/** Records for both tasks' rows (one pass, as training runs), or for one task's (a pass per task). */
const JOINT = { B: 4, Tin: 6, Tout: 7 };
const PER_TASK = { B: 2, Tin: 6, Tout: 7 };

async function setup(name: string, capacity = JOINT) {
  const gpu = await testGpu();
  const { config, weights } = await tinyCheckpoint(name);
  const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true });
  const batch = parseDssBatch(readJson(`${FIXTURES}golden/${name}/batch.json`));
  const runner = new T5Runner(gpu, model.dims, model.params, capacity);
  const step = new DssStep(gpu, model, runner);
  const done = () => {
    step.free();
    runner.free();
    model.params.free();
  };
  return { gpu, model, batch, step, done };
}

async function gradients(gpu: Gpu, model: T5Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const p of model.params.trainable()) out.set(p.name, await gpu.readF32(p.grad!));
  return out;
}

/** Each tensor of `got` within rel of the largest magnitude of the same tensor of `want` (+ 1e-9), element by element. */
function expectGradientsClose(want: Map<string, Float32Array>, got: Map<string, Float32Array>, rel: number): void {
  for (const [name, g] of want) {
    const other = got.get(name)!;
    const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = g.reduce((m, v, i) => Math.max(m, Math.abs(v - other[i])), 0);
    expect(worst, name).toBeLessThanOrEqual(rel * scale + 1e-9);
  }
}

describe('both DSS tasks in one pass', () => {
  for (const name of ['tied-relu', 'untied-gated']) {
    it(`${name}: gives one pass per task's losses and gradients (task lengths differ) in half the dispatches`, async () => {
      const o = { train: false, backward: true, seed: 0, weights: taskWeights(0.3) };
      const results = [];
      for (const capacity of [JOINT, PER_TASK]) {
        const { gpu, model, batch, step, done } = await setup(name, capacity);
        model.params.zeroGrads();
        const before = gpu.counters().dispatches;
        const losses = await step.run(batch, o);
        results.push({ losses, dispatches: gpu.counters().dispatches - before, grads: await gradients(gpu, model) });
        done();
      }
      const [joint, perTask] = results;
      expect(joint.losses.labelTokens).toBe(perTask.losses.labelTokens);
      expect(joint.losses.rationaleTokens).toBe(perTask.losses.rationaleTokens);
      expect(Math.abs(joint.losses.label - perTask.losses.label)).toBeLessThanOrEqual(1e-6 * perTask.losses.label);
      expect(Math.abs(joint.losses.rationale! - perTask.losses.rationale!)).toBeLessThanOrEqual(1e-6 * perTask.losses.rationale!);
      expectGradientsClose(perTask.grads, joint.grads, 1e-5);
      // One pass has one more dispatch (the second task's loss sum) than each of the two.
      expect(joint.dispatches).toBeLessThanOrEqual(perTask.dispatches / 2 + 1);
    });
  }
});

describe('T5 training mode (dropout 0.1 from the config)', () => {
  it('the same seed gives the same loss, another seed another loss, and eval differs from both', async () => {
    const { batch, step, done } = await setup('untied-gated');
    const a = await step.run(batch, { train: true, backward: false, seed: 7, weights: taskWeights(batch.alpha) });
    const b = await step.run(batch, { train: true, backward: false, seed: 7, weights: taskWeights(batch.alpha) });
    const c = await step.run(batch, { train: true, backward: false, seed: 8, weights: taskWeights(batch.alpha) });
    const e = await step.run(batch, { train: false, backward: false, seed: 7, weights: taskWeights(batch.alpha) });
    expect([a.label, a.rationale]).toEqual([b.label, b.rationale]);
    expect(c.label).not.toBe(a.label);
    expect(e.label).not.toBe(a.label);
    done();
  });

  it('gradients with dropout on match finite differences of the dropped-out loss', async () => {
    const { gpu, model, batch, step, done } = await setup('tied-relu');
    const seed = 11;
    model.params.zeroGrads();
    await step.run(batch, { train: true, backward: true, seed, weights: taskWeights(batch.alpha) });
    const names = [
      'shared.weight',
      'encoder.block.0.layer.0.SelfAttention.q.weight',
      'encoder.block.1.layer.1.DenseReluDense.wo.weight',
      'decoder.block.0.layer.1.EncDecAttention.v.weight',
      'decoder.block.1.layer.2.DenseReluDense.wi.weight',
      'decoder.final_layer_norm.weight',
      'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
    ];
    const h = 1e-2;
    const problems: string[] = [];
    for (const name of names) {
      const problem = await largestGradientMismatch(gpu, model.params.dense(name), async () => {
        const l = await step.run(batch, { train: true, backward: false, seed, weights: taskWeights(batch.alpha) });
        return batch.alpha * l.label + (1 - batch.alpha) * l.rationale!;
      }, h);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    done();
  });

  it('two half-weighted micro-batches accumulate to the gradients of one', async () => {
    const { gpu, model, batch, step, done } = await setup('tied-relu');
    const read = () => gradients(gpu, model);
    model.params.zeroGrads();
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) });
    const once = await read();
    model.params.zeroGrads();
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha), gradMultiplier: 0.5 });
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha), gradMultiplier: 0.5 });
    const twice = await read();
    expectGradientsClose(once, twice, 1e-6);
    done();
  });
});
