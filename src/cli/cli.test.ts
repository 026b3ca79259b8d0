// The CLI's own pieces, without a GPU: JSONL rows with --columns, flags -> run settings, the plan text (label-only
// said out loud), the progress bar, and one-line errors with exit code 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunPlan, StepMetrics } from '../engine/run-api';
import { RUN_DEFAULTS } from '../settings/run-config';
import { parseColumns, readJsonlRows } from './jsonl-rows';
import { formatDuration, ProgressBar } from './progress-bar';
import { configFromFlags, describePlan } from './train';

const DIR = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

describe('JSONL rows', () => {
  it('maps a foreign file with --columns; object labels become JSON text; ids from "id" or the line', async () => {
    const path = file('foreign.jsonl', [
      JSON.stringify({ instruction: 'how many sales', output: { size: 0 }, id: 'a' }),
      '',
      JSON.stringify({ instruction: 'top orders', output: '{"sort":{}}' }),
    ].join('\n'));
    const { data, withoutRationale } = await readJsonlRows(path, parseColumns('question=instruction,label=output'));
    expect(data.name).toBe('foreign.jsonl');
    expect(data.rows).toEqual([
      { id: 'a', question: 'how many sales', label: '{"size":0}', rationale: '' },
      { id: 'line-3', question: 'top orders', label: '{"sort":{}}', rationale: '' },
    ]);
    expect(withoutRationale).toBe(2);
  });

  it('names the file, line and field of bad input', async () => {
    expect(() => parseColumns('question:instruction')).toThrow(/--columns: "question:instruction" is not FIELD=COLUMN/);
    expect(() => parseColumns('answer=output')).toThrow(/FIELD one of question, label, rationale/);
    const bad = file('bad.jsonl', `${JSON.stringify({ question: 'q', label: 'l' })}\n{"question": "q"\n`);
    await expect(readJsonlRows(bad)).rejects.toThrow(new RegExp(`${bad}:2: not JSON`));
    const missing = file('missing.jsonl', `${JSON.stringify({ question: 'q', output: 'l' })}\n`);
    await expect(readJsonlRows(missing)).rejects.toThrow(new RegExp(`${missing}:1: no "label" field`));
    const numeric = file('numeric.jsonl', `${JSON.stringify({ question: 7, label: 'l' })}\n`);
    await expect(readJsonlRows(numeric)).rejects.toThrow(/:1: "question" must be text, got 7/);
    await expect(readJsonlRows(file('empty.jsonl', '\n\n'))).rejects.toThrow(/no rows/);
    await expect(readJsonlRows(join(DIR, 'nope.jsonl'))).rejects.toThrow(/cannot read .*nope\.jsonl: ENOENT/);
  });
});

describe('train flags', () => {
  it('become run settings, lora keys nested; only given flags are set', () => {
    expect(configFromFlags({})).toEqual({});
    expect(configFromFlags({
      method: 'qlora', rank: '16', alpha: '32', 'lora-dropout': '0', targets: 'q, v', rslora: true, 'double-quant': true, a: '1',
      lr: '1e-4', 'batch-size': '4', 'grad-accum': '2', epochs: '3', 'max-steps': '20', 'eval-fraction': '0.1', seed: '7',
      'max-input-length': '64', 'max-target-length': '32', 'dropout-rate': '0', 'no-shuffle': true,
    })).toEqual({
      method: 'qlora', lora: { rank: 16, alpha: 32, dropout: 0, targets: ['q', 'v'], rslora: true }, doubleQuant: true, a: 1, lr: 1e-4,
      batchSize: 4, gradAccum: 2, epochs: 3, maxSteps: 20, evalFraction: 0.1, seed: 7, maxInputLength: 64, maxTargetLength: 32,
      dropoutRate: 0, shuffle: false,
    });
  });

  it('bad values are refused by flag', () => {
    expect(() => configFromFlags({ rank: 'eight' })).toThrow('--rank must be a number, got "eight"');
    expect(() => configFromFlags({ rank: '0' })).toThrow('--rank must be a positive integer (got 0)');
    expect(() => configFromFlags({ 'max-steps': '0' })).toThrow('--max-steps must be a positive integer (got 0)');
    expect(() => configFromFlags({ a: '1.5' })).toThrow(/--a must be a number in \[0, 1\]/);
    expect(() => configFromFlags({ method: 'dora' })).toThrow(/--method must be one of "full", "lora", "qlora"/);
    expect(() => configFromFlags({ targets: 'q,lm_head' })).toThrow(/--targets has "lm_head"/);
    expect(() => configFromFlags({ 'double-quant': true })).toThrow('--double-quant needs --method qlora');
  });
});

describe('the plan shown before a run', () => {
  const plan = (labelOnly: boolean): RunPlan => ({
    config: { ...RUN_DEFAULTS, method: 'lora' },
    data: {
      rowsGiven: 12, trainRows: 8, evalRows: 2, skipped: [{ rowId: 'r9', reason: 'no label' }, { rowId: 'r10', reason: 'duplicate id' }],
      invalidLabels: 1, labelInputsTruncated: 0, rationaleInputsTruncated: 0, labelTargetsTruncated: 3, rationaleTargetsTruncated: 0,
      addedCharacters: ['{', '}'], labelOnly,
    },
    memory: { estimate: { weights: 1, grads: 1, optimizer: 1, activations: 1, total: 3 * 2 ** 20 }, maxBufferSize: 0, maxStorageBufferBindingSize: 0, largestBuffer: { what: 'logits', bytes: 1 }, passes: 1, sequencesPerPass: 2, fits: true },
    stepsPerEpoch: 1, totalSteps: 100, trainableParams: 10, totalParams: 100,
  });

  it('counts skipped and truncated rows, the added characters, and says when it trains label-only', () => {
    const text = describePlan(plan(true), 'x.jsonl', 12).join('\n');
    expect(text).toContain('data x.jsonl: 12 rows -> 8 train, 2 eval (seed 42, eval fraction 0.2)');
    expect(text).toContain('skipped 2 rows: r9 (no label), r10 (duplicate id)');
    expect(text).toContain('no row has a rationale: training label-only (a = 1)');
    expect(text).toContain('3 label targets');
    expect(text).toContain('added to the tokenizer: "{" "}"; their embedding rows train with the adapter');
    expect(text).toMatch(/, a 1\n/);
    const mixed = describePlan(plan(false), 'x.jsonl', 3).join('\n');
    expect(mixed).not.toContain('label-only');
    expect(mixed).toContain('3 rows have no rationale');
    expect(mixed).toMatch(/, a 0\.5\n/);
  });
});

describe('progress bar', () => {
  const step = (n: number, loss: number): StepMetrics => ({
    kind: 'train', step: n, epoch: 0, loss, loss_label: loss, loss_rationale: null, lr: 1e-3, grad_norm: 1, samples_per_s: 1, tokens_per_s: 1,
    gpu_bytes: { weights: 0, grads: 0, optimizer: 0, activations: 0, scratch: 0 } as StepMetrics['gpu_bytes'], gpu_peak_bytes: 0, elapsed_s: n,
  });

  it('shows steps, loss, eval loss and an ETA from this session\'s pace; plain lines off a TTY', () => {
    const lines: string[] = [];
    let now = 100;
    const bar = new ProgressBar(40, { write: (t) => lines.push(t), isTTY: false }, 10, () => now);
    bar.metric(step(10, 2.5));
    expect(bar.eta()).toBeNull();
    now += 20;
    bar.metric(step(20, 1.25));
    bar.metric({ kind: 'eval', step: 20, epoch: 1, eval_loss: 1.5, eval_loss_label: 1.5, eval_loss_rationale: null });
    expect(bar.eta()).toBe(40); // 2 s per step, 20 steps left
    expect(bar.line()).toBe('[############............] step 20/40  loss 1.2500  eval 1.5000  ETA 40s');
    expect(lines).toEqual(['[######..................] step 10/40  loss 2.5000\n', '[############............] step 20/40  loss 1.2500  ETA 40s\n']);
    expect([formatDuration(5), formatDuration(185), formatDuration(3725)]).toEqual(['5s', '3m05s', '1h02m']);
  });
});

describe('npm run cli errors', () => {
  it('print one line without a stack and exit 1', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'train', '--model', DIR, '--data', join(DIR, 'none.jsonl'), '--out', join(DIR, 'run')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.trim() && !/XDG_RUNTIME_DIR|Vulkan|InitializeImpl|initializing adapter/.test(l));
    expect(lines).toEqual([`error: cannot read ${join(DIR, 'none.jsonl')}: ENOENT`]);
  }, 120_000);
});
