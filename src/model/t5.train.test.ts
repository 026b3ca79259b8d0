// Training-mode behaviour the PyTorch goldens (dropout off) cannot show: dropout masks regenerated exactly in
// backward (checked by finite differences with dropout on), reproducibility per seed, and gradient accumulation.
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJson, tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { taskWeights } from '../train/mix';
import { parseDssBatch } from './batch';
import { DssStep } from './dss-step';
import { loadT5 } from './t5-model';
import { T5Runner } from './t5-runner';

async function setup(name: string) {
  const gpu = await testGpu();
  const { config, weights } = await tinyCheckpoint(name);
  const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true });
  const batch = parseDssBatch(readJson(`${FIXTURES}golden/${name}/batch.json`));
  const runner = new T5Runner(gpu, model.dims, model.params, { B: 2, Tin: 6, Tout: 7 });
  const step = new DssStep(gpu, model, runner);
  const done = () => {
    step.free();
    runner.free();
    model.params.free();
  };
  return { gpu, model, batch, step, done };
}

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
      const p = model.params.dense(name);
      const grad = await gpu.readF32(p.grad!);
      const value = await gpu.readF32(p.value);
      let at = 0;
      for (let i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[at])) at = i;
      const loss = async (v: number) => {
        gpu.write(p.value, Float32Array.of(v), at);
        const l = await step.run(batch, { train: true, backward: false, seed, weights: taskWeights(batch.alpha) });
        return batch.alpha * l.label + (1 - batch.alpha) * l.rationale!;
      };
      const fd = ((await loss(value[at] + h)) - (await loss(value[at] - h))) / (2 * h);
      gpu.write(p.value, Float32Array.of(value[at]), at);
      if (!(Math.abs(fd - grad[at]) <= 0.03 * Math.abs(grad[at]) + 3e-4)) problems.push(`${name}[${at}]: analytic ${grad[at]}, numeric ${fd}`);
    }
    expect(problems).toEqual([]);
    done();
  });

  it('two half-weighted micro-batches accumulate to the gradients of one', async () => {
    const { gpu, model, batch, step, done } = await setup('tied-relu');
    const read = async () => {
      const out = new Map<string, Float32Array>();
      for (const p of model.params.trainable()) out.set(p.name, await gpu.readF32(p.grad!));
      return out;
    };
    model.params.zeroGrads();
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) });
    const once = await read();
    model.params.zeroGrads();
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha), gradMultiplier: 0.5 });
    await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha), gradMultiplier: 0.5 });
    const twice = await read();
    for (const [name, g] of once) {
      const t = twice.get(name)!;
      const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = g.reduce((m, v, i) => Math.max(m, Math.abs(v - t[i])), 0);
      expect(worst, name).toBeLessThanOrEqual(1e-6 * scale + 1e-9);
    }
    done();
  });
});
