// The ablation through the CLI on the tiny checkpoint: LoRA at a = 0.5 and a = 1.0 (one seed, two steps each), then
// `report` writes Table 4 with both losses and their difference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseResults } from '../experiments/results';
import { FIXTURES } from '../testing/checkpoint';
import { ablationCommand } from './ablation';
import { reportCommand } from './report';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-ablation-cli-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const DATA = join(ROOT, 'data.jsonl');
const OUT = join(ROOT, 'ablation');
writeFileSync(DATA, ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic']
  .map((r, i) => JSON.stringify({ question: `How many sales in ${r}?`, label: `{"size":${i}}`, rationale: `count sales in ${r.toLowerCase()}` })).join('\n'));

it('ablation: a = 0.5 and a = 1.0 runs with their own loss weight; report writes Table 4 with the difference', { timeout: 400_000 }, async () => {
  expect(await ablationCommand(['--model', join(FIXTURES, 'tiny-t5/tied-relu'), '--data', DATA, '--out', OUT, '--methods', 'lora', '--seeds', '1', '--rank', '2', '--alpha', '8',
    '--max-steps', '2', '--batch-size', '2', '--eval-fraction', '0.25', '--max-input-length', '16', '--max-target-length', '12', '--targets', 'q,v'])).toBe(0);
  const rows = parseResults(JSON.parse(readFileSync(join(OUT, 'results.json'), 'utf8')));
  expect(rows.map((r) => [r.method, r.rank, r.alpha, r.seed, r.a, r.status])).toEqual([['lora', 2, 8, 1, 0.5, 'done'], ['lora', 2, 8, 1, 1, 'done']]);
  const run = JSON.parse(readFileSync(join(OUT, 'tied-relu-lora-r2-alpha8-s1-a1', 'run.json'), 'utf8'));
  expect([run.config.a, run.config.seed]).toEqual([1, 1]);
  expect(await reportCommand(['--runs', OUT, '--out', join(OUT, 'report')])).toBe(0);
  const table = readFileSync(join(OUT, 'report', 'table4-ablation.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  expect(table[0]).toEqual(['model', 'method', 'rank', 'alpha', 'seed', 'eval_loss_a0.5', 'eval_loss_a1.0', 'difference', 'exact_match_a0.5', 'exact_match_a1.0', 'exact_match_difference']);
  const [seed1] = table.slice(1);
  expect(Number(seed1[5])).toBe(rows[0].best_eval_loss);
  expect(Number(seed1[6])).toBe(rows[1].best_eval_loss);
  expect(Number(seed1[7])).toBeCloseTo(rows[1].best_eval_loss! - rows[0].best_eval_loss!, 12);
  expect(table.slice(1).map((r) => r[4])).toEqual(['1', 'mean', 'sd']);
});
