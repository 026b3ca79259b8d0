import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../engine/run-api';
import { parseRunConfig } from '../../settings/run-config';
import { estimateTrials, gridOf, PAPER_FORM, ABLATION_FORM } from './builder';
import { expandGrid } from '../../experiments/grid';
import { importSweep } from './sweep-import';

const row = { model: 'tiny', method: 'lora', rank: 2, alpha: 4, seed: 42, a: 0.5, status: 'done', best_eval_loss: 1.5, final_eval_loss: 1.6, samples_per_s: 3, peak_gpu_bytes: 100, train_seconds: 9, exact_match: null };

describe('importing a SWEEP_DIR', () => {
  it('reads results.json, alone or inside the folder zip', () => {
    expect(importSweep(strToU8(JSON.stringify([row])), 'results.json')).toEqual([row]);
    const zip = zipSync({ 'sweep/results.json': strToU8(JSON.stringify([row, { ...row, rank: 4 }])), 'sweep/x/run.json': strToU8('{}') });
    expect(importSweep(zip, 'sweep.zip').map((r) => r.rank)).toEqual([2, 4]);
  });

  it('without results.json, charts the finished run folders; bad files are named', () => {
    const record = {
      id: 'r', status: 'done', config: parseRunConfig({ method: 'qlora', lora: { rank: 8, alpha: 16 }, seed: 3, a: 1 }), model: { kind: 'hub', id: 'google/flan-t5-small', baseUrl: '', revision: 'main', label: 'x' },
      best: { step: 4, eval_loss: 0.5, eval_loss_label: 0.5, eval_loss_rationale: null }, final: { step: 4, loss: 0.4, eval_loss: 0.6 }, peakGpuBytes: 7, trainSeconds: 2,
    } as unknown as RunRecord;
    const zip = zipSync({ 'r/run.json': strToU8(JSON.stringify(record)), 'r/metrics.jsonl': strToU8('{"kind":"train","step":1,"samples_per_s":4}\n'), 'p/run.json': strToU8(JSON.stringify({ ...record, status: 'paused' })) });
    expect(importSweep(zip, 'runs.zip')).toEqual([{ model: 'flan-t5-small', method: 'qlora', rank: 8, alpha: 16, seed: 3, a: 1, status: 'done', best_eval_loss: 0.5, final_eval_loss: 0.6, samples_per_s: 4, peak_gpu_bytes: 7, train_seconds: 2, exact_match: null }]);
    expect(() => importSweep(strToU8(JSON.stringify([{ ...row, status: 'won' }])), 'results.json')).toThrow('results.json: row 1: status must be one of');
    expect(() => importSweep(strToU8('nope'), 'x.zip')).toThrow(/x.zip: not a zip file/);
  });
});

describe('the builder', () => {
  it('one click gives the paper grid (50 runs) or the ablation (2 models x LoRA x 2 seeds x 2 a = 8), each with a memory estimate', () => {
    const config = parseRunConfig({ maxSteps: 10 });
    const paper = expandGrid(gridOf(PAPER_FORM, config));
    expect(paper.length).toBe(50);
    const ids = Object.fromEntries(paper.map((t) => [t.model, t.source.kind === 'hub' ? t.source.id : '']));
    const est = estimateTrials(paper, config, 80, [], ids);
    const small = est.filter((e) => e.trial.model === 'flan-t5-small');
    const full = small.find((e) => e.trial.method === 'full')!;
    const qlora = small.find((e) => e.trial.method === 'qlora' && e.trial.rank === 32)!;
    expect(full.memoryBytes! > qlora.memoryBytes!).toBe(true);
    expect([full.steps, full.seconds]).toEqual([10, null]);
    expect(expandGrid(gridOf(ABLATION_FORM, config)).length).toBe(8);
  });
});
