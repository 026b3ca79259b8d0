// The CLI with a PEFT adapter: grads keyed by PEFT names equal the PyTorch goldens (tools/lora_reference.py) for
// LoRA and QLoRA (--nf4), and the same command in PyTorch agrees; merge writes a checkpoint PyTorch scores like
// base + adapter; option misuse is refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJson, readSafetensorsFile } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { hasTorch, PYTHON } from '../testing/python';
import { gradsCommand, summarize, type GradsReport } from './grads';
import { mergeCommand } from './merge';

const CASE = `${FIXTURES}golden-lora/untied-gated-all/`;
const MODEL = `${FIXTURES}tiny-t5/untied-gated`;

/** ||a - b|| / ||b|| over the summaries' first values. */
function relDiff(a: number[], b: number[]): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / n);
}

function torchRun(args: string[]): string {
  const out = join(mkdtempSync(join(tmpdir(), 'stepwise-lora-')), 'out');
  execFileSync(PYTHON, [...args, '--out', out]);
  return out;
}

describe('cli grads --adapter [--nf4]', () => {
  for (const nf4 of [false, true]) {
    it(`${nf4 ? 'QLoRA' : 'LoRA'}: PEFT-named gradient summaries match the golden gradients (1e-3)`, async () => {
      const gpu = await testGpu();
      const report = await gradsCommand(gpu, MODEL, `${CASE}batch.json`, { adapter: `${CASE}adapter`, nf4 });
      const golden = await readSafetensorsFile(`${CASE}${nf4 ? 'qlora_' : ''}grads.safetensors`);
      expect(Object.keys(report.grads).sort()).toEqual([...golden.keys()].sort());
      for (const [name, g] of golden) {
        const want = summarize(report.grads[name].shape, g);
        const got = report.grads[name];
        expect(Math.abs(got.norm - want.norm) / want.norm, name).toBeLessThan(1e-3);
        expect(relDiff(got.first, want.first), name).toBeLessThan(1e-3);
      }
    });

    it.runIf(hasTorch)(`${nf4 ? 'QLoRA' : 'LoRA'}: matches tools/lora_reference.py grads on the same files (PyTorch)`, async () => {
      const gpu = await testGpu();
      const args = ['tools/lora_reference.py', 'grads', '--model', MODEL, '--batch', `${CASE}batch.json`, '--adapter', `${CASE}adapter`];
      const torch = readJson<GradsReport>(torchRun(nf4 ? [...args, '--nf4'] : args));
      const ours = await gradsCommand(gpu, MODEL, `${CASE}batch.json`, { adapter: `${CASE}adapter`, nf4 });
      expect(Math.abs(ours.loss_total - torch.loss_total) / torch.loss_total).toBeLessThan(1e-5);
      expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(torch.grads).sort());
      for (const [name, g] of Object.entries(torch.grads)) {
        expect(ours.grads[name].shape).toEqual(g.shape);
        expect(Math.abs(ours.grads[name].norm - g.norm) / g.norm, name).toBeLessThan(1e-3);
      }
    });
  }

  it('refuses --nf4 without an adapter and --double-quant without --nf4', async () => {
    const gpu = await testGpu();
    await expect(gradsCommand(gpu, MODEL, `${CASE}batch.json`, { nf4: true })).rejects.toThrow(/--nf4 needs --adapter/);
    await expect(gradsCommand(gpu, MODEL, `${CASE}batch.json`, { adapter: `${CASE}adapter`, doubleQuant: true })).rejects.toThrow(/--double-quant needs --nf4/);
  });
});

describe('cli merge', () => {
  it('writes an HF checkpoint folder; PyTorch scores it as base + adapter (1e-5)', async () => {
    const gpu = await testGpu();
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-merged-'));
    const written = await mergeCommand(gpu, MODEL, `${CASE}adapter`, dir);
    expect(written).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures).toEqual(['T5ForConditionalGeneration']);
    if (!hasTorch) return;
    const torch = readJson<GradsReport>(torchRun(['tools/t5_reference.py', 'grads', '--model', dir, '--batch', `${CASE}batch.json`]));
    const expected = readJson<{ loss_total: number }>(`${CASE}expected.json`);
    expect(Math.abs(torch.loss_total - expected.loss_total) / expected.loss_total).toBeLessThan(1e-5);
  });
});
