import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readSafetensorsFile } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { hasTorch, PYTHON } from '../testing/python';
import { gradsCommand, type GradsReport } from './grads';


describe('cli grads', () => {
  it('reports losses and a summary of every gradient that agrees with the golden gradients', async () => {
    const gpu = await testGpu();
    const model = `${FIXTURES}tiny-t5/tied-relu`;
    const report = await gradsCommand(gpu, model, `${FIXTURES}golden/tied-relu/batch.json`);
    const golden = await readSafetensorsFile(`${FIXTURES}golden/tied-relu/grads.safetensors`);
    expect(Object.keys(report.grads).sort()).toEqual([...golden.keys()].sort());
    for (const [name, ref] of golden) {
      const norm = Math.sqrt(ref.reduce((a, v) => a + v * v, 0));
      expect(Math.abs(report.grads[name].norm - norm) / norm, name).toBeLessThan(1e-3);
      expect(report.grads[name].first).toHaveLength(Math.min(8, ref.length));
    }
    expect(report.loss_rationale).not.toBeNull();
  });

  it.runIf(hasTorch)('matches tools/t5_reference.py grads run on the same files (PyTorch)', async () => {
    const gpu = await testGpu();
    const model = `${FIXTURES}tiny-t5/untied-gated`;
    const batch = `${FIXTURES}golden/untied-gated/batch.json`;
    const out = join(mkdtempSync(join(tmpdir(), 'stepwise-')), 'torch.json');
    execFileSync(PYTHON, ['tools/t5_reference.py', 'grads', '--model', model, '--batch', batch, '--out', out]);
    const torch = JSON.parse(readFileSync(out, 'utf8')) as GradsReport;
    const ours = await gradsCommand(gpu, model, batch);
    expect(Math.abs(ours.loss_total - torch.loss_total) / torch.loss_total).toBeLessThan(1e-5);
    for (const [name, g] of Object.entries(torch.grads)) {
      expect(ours.grads[name].shape).toEqual(g.shape);
      expect(Math.abs(ours.grads[name].norm - g.norm) / g.norm, name).toBeLessThan(1e-3);
    }
  });
});
