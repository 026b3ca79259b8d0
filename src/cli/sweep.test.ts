// A real sweep through the CLI on the tiny checkpoint: 4 LoRA configurations (ranks 2, 4 x alphas 4, 8 within 1:4..4:1),
// two optimizer steps each, on the Node engine. results.json holds 4 rows with finite losses; the same command again
// trains nothing; `report` writes the tables and figures.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { SweepState } from '../experiments/queue';
import { parseResults } from '../experiments/results';
import { FIXTURES } from '../testing/checkpoint';
import { reportCommand } from './report';
import { sweepCommand } from './sweep';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-sweep-cli-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const DATA = join(ROOT, 'data.jsonl');
const SWEEP = join(ROOT, 'sweep');

const REGIONS = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic'];
writeFileSync(DATA, REGIONS.map((r, i) => JSON.stringify({ id: `r${i}`, question: `How many sales in ${r}?`, label: `{"size":${i}}`, rationale: `count sales in ${r.toLowerCase()}` })).join('\n'));

const ARGS = ['--model', TINY, '--data', DATA, '--out', SWEEP, '--methods', 'lora', '--ranks', '2,4', '--alphas', '4,8', '--max-ratio', '4',
  '--max-steps', '2', '--batch-size', '2', '--eval-fraction', '0.25', '--max-input-length', '16', '--max-target-length', '12', '--lr', '1e-3', '--targets', 'q,v'];

it('sweep: 4 configurations train one after another into results.json/csv; rerunning resumes (nothing left); report writes the figures', { timeout: 600_000 }, async () => {
  expect(await sweepCommand(ARGS)).toBe(0);
  const rows = parseResults(JSON.parse(readFileSync(join(SWEEP, 'results.json'), 'utf8')));
  expect(rows.map((r) => [r.model, r.method, r.rank, r.alpha, r.seed, r.a, r.status])).toEqual([
    ['untied-gated', 'lora', 2, 4, 42, 0.5, 'done'], ['untied-gated', 'lora', 2, 8, 42, 0.5, 'done'],
    ['untied-gated', 'lora', 4, 4, 42, 0.5, 'done'], ['untied-gated', 'lora', 4, 8, 42, 0.5, 'done'],
  ]);
  for (const r of rows) {
    for (const v of [r.best_eval_loss, r.final_eval_loss, r.samples_per_s, r.train_seconds, r.peak_gpu_bytes]) expect(Number.isFinite(v)).toBe(true);
    expect(r.best_eval_loss!).toBeGreaterThan(0);
    // Exact match of the best checkpoint's greedy labels on the run's eval split: a share, measured, not left empty.
    expect(r.exact_match !== null && r.exact_match >= 0 && r.exact_match <= 1).toBe(true);
    expect(r.peak_gpu_bytes!).toBeGreaterThan(0);
  }
  // Each configuration is a run folder of the training format, with the run's own settings.
  const run = JSON.parse(readFileSync(join(SWEEP, 'untied-gated-lora-r4-alpha8-s42', 'run.json'), 'utf8'));
  expect([run.status, run.step, run.config.lora.rank, run.config.lora.alpha, run.config.lora.targets]).toEqual(['done', 2, 4, 8, ['q', 'v']]);
  expect(readFileSync(join(SWEEP, 'results.csv'), 'utf8').trim().split('\n').length).toBe(5);

  // The same command again: the queue is finished, nothing trains.
  const before = statSync(join(SWEEP, 'untied-gated-lora-r2-alpha4-s42', 'metrics.jsonl')).mtimeMs;
  expect(await sweepCommand(ARGS)).toBe(0);
  expect(statSync(join(SWEEP, 'untied-gated-lora-r2-alpha4-s42', 'metrics.jsonl')).mtimeMs).toBe(before);
  const queue = JSON.parse(readFileSync(join(SWEEP, 'queue.json'), 'utf8')) as SweepState;
  expect(queue.entries.map((e) => e.status)).toEqual(['done', 'done', 'done', 'done']);

  const out = join(ROOT, 'report');
  expect(await reportCommand(['--runs', SWEEP, '--out', out])).toBe(0);
  const heat = readFileSync(join(out, 'figure7-heatmap.csv'), 'utf8').trim().split('\n');
  expect(heat.filter((l) => l.startsWith('lora,')).length).toBe(4);
  expect(readFileSync(join(out, 'figure6-quad.svg'), 'utf8')).toMatch(/^<svg xmlns/);
  expect(readFileSync(join(out, 'table3-leaderboard.csv'), 'utf8').trim().split('\n').length).toBe(5);
});
