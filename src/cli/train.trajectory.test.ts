// The CLI's training trajectory against PyTorch: `train --dropout-rate 0 --no-shuffle` for 20 optimizer steps on a
// tiny checkpoint gives the loss of the same 20 AdamW steps in tools/train_reference.py (float64 torch) at every
// step, rel 1e-4, for full fine-tuning and for LoRA (whose run also trains the token rows of the "{" "}" the tokenizer
// lacks). Then the run's exported adapter reloads with `eval --adapter` and gives the run's own last eval loss.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../engine/evaluation';
import type { MetricRow, RunRecord, StepMetrics } from '../engine/run-api';
import { folderSource } from '../hosts/node/fs-source';
import { loadCheckpoint } from '../io/checkpoint';
import { makeTinyT5 } from '../io/tiny-t5';
import { createTextTokenizer } from '../model/tokenizer';
import { hasTorch, PYTHON } from '../testing/python';
import { forMix } from '../train/mix';
import { chunks, effectiveMix, epochOrder, padBatch, prepareRunData, stepsPerEpoch } from '../train/run-data';
import { evalCommand } from './eval';
import { exportAdapterCommand } from './export-adapter';
import { readJsonlRows } from './jsonl-rows';
import { trainCommand } from './train';

const STEPS = 20;
const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-trajectory-'));
const MODEL = join(ROOT, 'model');
const DATA = join(ROOT, 'data.jsonl');
// Lengths capped so every batch is small; 10 rows split 80/20 by seed 42.
const COMMON = ['--dropout-rate', '0', '--no-shuffle', '--max-steps', String(STEPS), '--batch-size', '2', '--lr', '3e-3', '--max-input-length', '20', '--max-target-length', '14'];
const SHAPE = ['--batch-size', '2', '--max-input-length', '20', '--max-target-length', '14'];

const QUESTIONS = ['count sales in Europe', 'top orders by price', 'all customers', 'total revenue per region', 'orders last month',
  'average price per category', 'how many products', 'sales by status', 'customers in Asia', 'list the top products'];

function setup(): void {
  mkdirSync(MODEL, { recursive: true });
  const files = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 8, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}', seed: 3 });
  for (const [name, data] of files) writeFileSync(join(MODEL, name), data);
  const lines = QUESTIONS.map((q, i) => JSON.stringify({
    id: `r${i}`, question: q, label: JSON.stringify({ size: i, query: { match: { region: 'Europe' } } }), rationale: `the ${q.split(' ')[0]} is ${i}`,
  }));
  writeFileSync(DATA, `${lines.join('\n')}\n`);
}

function metrics(runDir: string): MetricRow[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricRow);
}

/** The reference's spec: the run's settings and the exact micro-batches of each step, rebuilt from the run's data. */
async function referenceSpec(runDir: string) {
  const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  const config = record.config;
  const checkpoint = await loadCheckpoint(folderSource(MODEL));
  const tokenizer = createTextTokenizer(checkpoint.tokenizerJson, checkpoint.tokenizerConfig);
  const { data } = await readJsonlRows(DATA);
  const prepared = prepareRunData(data.rows, tokenizer, { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size }, config);
  const a = effectiveMix(config, prepared.report);
  const { micro } = stepsPerEpoch(prepared.train.length, config);
  const steps = [];
  for (let s = 0; s < STEPS; s++) {
    const epoch = Math.floor(s / micro);
    const ids = chunks(epochOrder(prepared.train.length, config.seed, epoch, config.shuffle), config.batchSize)[s % micro];
    steps.push([forMix(a, padBatch(ids.map((i) => prepared.train[i])))]);
  }
  return {
    model: MODEL, method: config.method, a, lr: config.lr, weight_decay: config.weightDecay, max_grad_norm: config.maxGradNorm,
    lora: { rank: config.lora.rank, alpha: config.lora.alpha, targets: config.lora.targets, rslora: config.lora.rslora, seed: config.seed },
    token_rows: prepared.addedTokenIds,
    steps,
  };
}

function pytorchLosses(spec: unknown, name: string): { step: number; loss: number }[] {
  const specPath = join(ROOT, `${name}.spec.json`);
  const outPath = join(ROOT, `${name}.torch.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const r = spawnSync(PYTHON, ['tools/train_reference.py', '--spec', specPath, '--out', outPath], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`train_reference.py failed: ${r.stderr}`);
  return (JSON.parse(readFileSync(outPath, 'utf8')) as { steps: { step: number; loss: number }[] }).steps;
}

afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('train trajectory vs PyTorch (20 AdamW steps, dropout off, fixed order)', () => {
  setup();
  for (const method of ['full', 'lora'] as const) {
    it(`${method}: every step's loss matches tools/train_reference.py at rel 1e-4`, async () => {
      const runDir = join(ROOT, 'runs', method);
      const lora = method === 'lora' ? ['--rank', '4', '--alpha', '8', '--lora-dropout', '0', '--targets', 'q,k,v,o,wi_0,wi_1,wo'] : [];
      expect(await trainCommand(['--model', MODEL, '--data', DATA, '--out', runDir, '--method', method, ...COMMON, ...lora])).toBe(0);
      const rows = metrics(runDir).filter((m): m is StepMetrics => m.kind === 'train');
      expect(rows.map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      const spec = await referenceSpec(runDir);
      if (method === 'lora') expect(spec.token_rows.length).toBe(2); // "{" and "}" were added and their rows trained
      const torch = pytorchLosses(spec, method);
      const problems = rows
        .map((m, i) => ({ step: m.step, ours: m.loss, torch: torch[i].loss, rel: Math.abs(m.loss - torch[i].loss) / Math.abs(torch[i].loss) }))
        .filter((d) => !(d.rel <= 1e-4));
      expect(problems, `losses ${rows.map((m) => m.loss.toFixed(5)).join(' ')}`).toEqual([]);
      // The run learned something: the trajectory is not flat.
      expect(rows[STEPS - 1].loss).toBeLessThan(rows[0].loss);
    }, 900_000);
  }

  it('the exported adapter reloads with eval --adapter and gives the run\'s last eval loss', async () => {
    const runDir = join(ROOT, 'runs', 'lora');
    const adapterDir = join(ROOT, 'adapter');
    expect(await exportAdapterCommand(['--run', runDir, '--checkpoint', 'latest', '--out', adapterDir])).toBe(0);
    const adapterConfig = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig.use_rslora).toBe(false);
    expect(Object.values(adapterConfig.trainable_token_indices as Record<string, number[]>).every((ids) => ids.length === 2)).toBe(true);
    const out = join(ROOT, 'eval.json');
    expect(await evalCommand(['--model', MODEL, '--adapter', adapterDir, '--data', DATA, '--out', out, ...SHAPE])).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
    const evals = metrics(runDir).filter((m) => m.kind === 'eval');
    const last = evals[evals.length - 1];
    expect(last.kind === 'eval' && last.step).toBe(STEPS);
    if (last.kind !== 'eval') return;
    expect(Math.abs(report.eval_loss - last.eval_loss) / last.eval_loss).toBeLessThan(1e-6);
    expect(report.eval_loss_label).toBeCloseTo(last.eval_loss_label, 6);
    // The base alone (no adapter, no trained rows) scores worse on the same split.
    const baseOut = join(ROOT, 'eval-base.json');
    expect(await evalCommand(['--model', MODEL, '--data', DATA, '--out', baseOut, ...SHAPE])).toBe(0);
    expect((JSON.parse(readFileSync(baseOut, 'utf8')) as EvalReport).eval_loss).toBeGreaterThan(report.eval_loss);
  }, 600_000);
});

describe.skipIf(hasTorch)('train trajectory vs PyTorch', () => {
  it.skip(`skipped: ${PYTHON} cannot import torch (install Debian's python3-torch to compare trajectories)`, () => undefined);
});
