// optimizerStep reads everything it reports (each micro-batch's losses, the grad norm) with one readback, and gives
// bit for bit what awaiting each micro-batch's losses and then the norm gave.
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJson, tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { parseDssBatch } from '../model/batch';
import { DssStep, type TaskLosses } from '../model/dss-step';
import { loadT5 } from '../model/t5-model';
import { T5Runner } from '../model/t5-runner';
import { optimizerStep } from './accumulate';
import { forMix, taskWeights } from './mix';
import { ADAMW_DEFAULTS, AdamW } from './optimizer';

async function setup() {
  const gpu = await testGpu();
  const { config, weights } = await tinyCheckpoint('tied-relu');
  const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true });
  const runner = new T5Runner(gpu, model.dims, model.params, { B: 2, Tin: 6, Tout: 7 });
  const step = new DssStep(gpu, model, runner);
  const opt = new AdamW(gpu, model.params, { ...ADAMW_DEFAULTS, lr: 1e-3, weightDecay: 0.01, maxGradNorm: 0.5 });
  const done = () => {
    opt.free();
    step.free();
    runner.free();
    model.params.free();
  };
  return { gpu, model, step, opt, done };
}

describe('optimizerStep', () => {
  it('one readback per optimizer step, with the losses, norm and parameters of reading each micro-batch', async () => {
    const batch = parseDssBatch(readJson(`${FIXTURES}golden/tied-relu/batch.json`));
    const a = 0.5;
    const micro = [batch, batch];
    const seed = 3;

    const fast = await setup();
    // Warm-up: pipelines, and the per-flush arenas grow to what a step records between readbacks.
    for (const s of [0, 1]) await optimizerStep(fast.step, fast.model.params, fast.opt, micro, { seed: s, a });
    const before = fast.gpu.counters();
    const got = await optimizerStep(fast.step, fast.model.params, fast.opt, micro, { seed, a });
    const counts = fast.gpu.counters();
    expect(counts.readbacks - before.readbacks).toBe(1);
    expect(counts.allocations - before.allocations).toBe(0);
    expect(counts.submits - before.submits).toBeLessThanOrEqual(2);

    // The same two steps, reading each micro-batch's losses and then the norm as the trainer used to.
    const slow = await setup();
    const weights = taskWeights(a);
    const oldStep = async (s: number) => {
      slow.model.params.zeroGrads();
      const all: TaskLosses[] = [];
      for (let i = 0; i < micro.length; i++) {
        all.push(await slow.step.run(forMix(a, micro[i]), { train: true, backward: true, seed: s * 1024 + i, weights, gradMultiplier: 1 / micro.length }));
      }
      slow.opt.apply();
      return { all, norm: await slow.opt.gradNorm() };
    };
    await oldStep(0);
    await oldStep(1);
    const want = await oldStep(seed);
    expect(got.gradNorm).toBe(want.norm);
    expect(got.losses.label).toBe((want.all[0].label + want.all[1].label) / 2);
    expect(got.losses.rationale).toBe((want.all[0].rationale! + want.all[1].rationale!) / 2);
    for (const p of fast.model.params.trainable()) {
      const q = slow.model.params.dense(p.name);
      expect(Array.from(await fast.gpu.readF32(p.value)), p.name).toEqual(Array.from(await slow.gpu.readF32(q.value)));
    }
    fast.done();
    slow.done();
  }, 600_000); // two tiny models, six optimizer steps: minutes on SwiftShader with a loaded CPU
});
