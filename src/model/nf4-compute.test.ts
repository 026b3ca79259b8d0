// QLoRA's compute precision: f32 where the adapter has no shader-f16 (SwiftShader here), and an f16 path that must
// at least be well-formed WebGPU work: on Dawn's null backend (which offers shader-f16 and validates everything, but
// runs nothing) a whole QLoRA forward/backward in f16 records and submits without a validation error.
import { describe, expect, it } from 'vitest';
import { createCompileOnlyGpu } from '../hosts/node/gpu';
import { tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { attachLora } from './lora';
import { CAPACITY, goldenBatch } from './lora.testing';
import { DssStep } from './dss-step';
import { selectNf4Compute } from './nf4-compute';
import { qloraLoadOptions } from './qlora';
import { loadT5 } from './t5-model';
import { T5Runner } from './t5-runner';

async function qloraModel(gpu: Awaited<ReturnType<typeof testGpu>>) {
  const { config, weights } = await tinyCheckpoint('untied-gated');
  const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false, ...qloraLoadOptions() });
  attachLora(gpu, model, { r: 4, alpha: 16, dropout: 0.05 });
  return model;
}

describe('NF4 compute precision', () => {
  it('stays f32 without shader-f16, and refuses f16 when asked for', async () => {
    const gpu = await testGpu();
    const model = await qloraModel(gpu);
    expect(gpu.info.f16).toBe(false);
    expect(await selectNf4Compute(gpu, model)).toBe('f32');
    await expect(selectNf4Compute(gpu, model, 'f16')).rejects.toThrow(/no shader-f16/);
    model.params.free();
  });

  it('the f16 path is valid WebGPU work end to end (Dawn null backend, strict validation)', async () => {
    const gpu = await createCompileOnlyGpu();
    const model = await qloraModel(gpu);
    // The device check records valid work too (strict mode would throw); its numbers mean nothing on this backend.
    expect(['f16', 'f32']).toContain(await selectNf4Compute(gpu, model));
    model.params.nf4Compute = 'f16';
    const runner = new T5Runner(gpu, model.dims, model.params, CAPACITY);
    const step = new DssStep(gpu, model, runner);
    model.params.zeroGrads();
    await step.run(goldenBatch('untied-gated-all'), { train: true, backward: true, seed: 3, weights: { label: 0.5, rationale: 0.5 } });
    await expect(gpu.finish()).resolves.toBeUndefined();
    expect(gpu.pool.liveLabels().some((l) => l.includes('nf4_f16.in'))).toBe(true);
    step.free();
    runner.free();
    model.params.free();
  });
});
