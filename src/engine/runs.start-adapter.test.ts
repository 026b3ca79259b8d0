// A run that continues an adapter (RunSpec.adapter): the adapter a first run exported is loaded, not re-initialised
// (step 1's loss, taken before the update, equals the adapter's eval loss on the same rows), it trains on (the
// exported adapter differs from the input), resumes exactly from its own checkpoint, and settings that contradict
// the adapter are refused naming the field.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../hosts/node/engine';
import { memorySource } from '../io/byte-source';
import { readSafetensorsHeader, readTensorF32 } from '../io/safetensors';
import { makeTinyT5 } from '../io/tiny-t5';
import type { RunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import type { Engine } from './engine';
import { EngineError } from './errors';
import type { FileRecord, MetricRow, RunSpec, StepMetrics, TrainingRow } from './run-api';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-start-adapter-'));
const MODEL = join(ROOT, 'model');
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic'].map((region, i) => ({
  id: `r${i}`, question: `How many sales in ${region}?`, label: `{"size":${i}}`, rationale: `count sales in ${region.toLowerCase()}`,
}));

// One batch holds every train row (6 of 8) and nothing is random in a step (dropout 0, LoRA dropout 0): step 1's
// training loss is then the loss over the train split before any update, which evaluate() computes the same way.
const SETTINGS: Partial<RunConfig> = { batchSize: 8, evalFraction: 0.25, lr: 1e-2, schedule: 'constant', dropoutRate: 0, maxInputLength: 16, maxTargetLength: 12, seed: 3 };
const FIRST: Partial<RunConfig> = { ...SETTINGS, method: 'lora', maxSteps: 3, lora: { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'wo'], rslora: false } };

const model = { kind: 'folder' as const, path: MODEL };
const spec = (config: Partial<RunConfig>, id: string, adapter?: FileRecord, rows = ROWS): RunSpec => ({
  id, config, model, data: { name: 'tiny rows', rows }, ...(adapter ? { adapter: { label: 'first.zip', files: adapter } } : {}),
});
const trainRows = (rows: MetricRow[]) => rows.filter((r): r is StepMetrics => r.kind === 'train');

async function tensors(files: FileRecord): Promise<Map<string, Float32Array>> {
  const source = memorySource(files['adapter_model.safetensors'] as Uint8Array, 'adapter');
  const header = await readSafetensorsHeader(source, 'adapter');
  const out = new Map<string, Float32Array>();
  for (const key of header.tensors.keys()) out.set(key, await readTensorF32(source, header, key));
  return out;
}

let engine: Engine;
let adapter: FileRecord;
let firstStep1: number;

beforeAll(async () => {
  mkdirSync(MODEL, { recursive: true });
  // "{", "}" and "<" are missing from the tiny tokenizer: the first run adds "{" "}" and trains their rows.
  const files = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 8, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}<', seed: 5 });
  for (const [name, data] of files) writeFileSync(join(MODEL, name), data);
  engine = createNodeEngine(await testGpu(), { runsDir: join(ROOT, 'runs') });
  const first = await engine.startRun(spec(FIRST, 'first'));
  expect(first.status).toBe('done');
  firstStep1 = trainRows(await engine.runMetrics('first'))[0].loss;
  adapter = await engine.exportRunAdapter('first', 'latest');
}, 400_000);

describe('a run that continues an adapter', { timeout: 400_000 }, () => {
  it('starts from the adapter\'s weights, trains them, records where it started and exports a PEFT adapter again', async () => {
    const config = { ...SETTINGS, maxSteps: 2 };
    const plan = await engine.planRun(spec(config, 'plan', adapter));
    expect(plan.config.method).toBe('lora');
    expect(plan.config.lora).toEqual({ rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'wo'], rslora: false });
    // The adapter's tokenizer already has "{" "}": nothing is added, but their rows still train.
    expect(plan.data.addedCharacters).toEqual([]);

    const done = await engine.startRun(spec(config, 'continued', adapter));
    expect(done.status).toBe('done');
    expect(done.startedFrom).toMatchObject({ adapter: 'first.zip', r: 2, alpha: 4 });
    expect(done.startedFrom?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const step1 = trainRows(await engine.runMetrics('continued'))[0].loss;

    const evaluated = await engine.evaluate({ model, adapter, data: { name: 'tiny rows', rows: ROWS }, split: 'train', settings: { batchSize: 8, evalFraction: 0.25, seed: 3, maxInputLength: 16, maxTargetLength: 12, method: 'lora' } });
    expect(Math.abs(step1 - evaluated.eval_loss)).toBeLessThan(1e-5 * evaluated.eval_loss);
    // A fresh adapter's first loss (the base's) is far from it: the weights really were loaded.
    expect(Math.abs(firstStep1 - evaluated.eval_loss)).toBeGreaterThan(1e-3);

    const out = await engine.exportRunAdapter('continued', 'latest');
    const config0 = JSON.parse(adapter['adapter_config.json'] as string) as Record<string, unknown>;
    const config1 = JSON.parse(out['adapter_config.json'] as string) as Record<string, unknown>;
    expect(config1).toMatchObject({ r: config0.r, lora_alpha: config0.lora_alpha, target_modules: config0.target_modules, trainable_token_indices: config0.trainable_token_indices });
    const [before, after] = [await tensors(adapter), await tensors(out)];
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...after].filter(([k, v]) => v.some((x, i) => x !== before.get(k)![i]));
    expect(changed.length).toBeGreaterThan(0);
    expect(out['README.md']).toMatch(/Continued from adapter first\.zip \(adapter_model\.safetensors sha256 [0-9a-f]{16}/);
    // A Ray Train job would start a fresh adapter: refused rather than silently different.
    await expect(engine.exportRayBundle({ kind: 'run', runId: 'continued' })).rejects.toMatchObject({ kind: 'bad-input', message: expect.stringMatching(/continued adapter first\.zip; a Ray Train job starts a fresh adapter/) });
  });

  it('pauses and resumes from its own checkpoint exactly', async () => {
    const config = { ...SETTINGS, maxSteps: 2 };
    const paused = await engine.startRun(spec(config, 'halves', adapter), (ev) => {
      if (ev.type === 'metrics' && ev.row.kind === 'train' && ev.row.step === 1) void engine.pauseRun('halves');
    });
    expect(paused.status).toBe('paused');
    const resumed = await engine.resumeRun('halves');
    expect(resumed.status).toBe('done');
    expect(resumed.startedFrom?.adapter).toBe('first.zip');
    const losses = (rows: MetricRow[]) => trainRows(rows).map((r) => [r.step, r.loss, r.grad_norm]);
    expect(losses(await engine.runMetrics('halves'))).toEqual(losses(await engine.runMetrics('continued')));
  });

  it('trains the rows of characters the new data adds next to the adapter\'s own', async () => {
    const rows = ROWS.map((r, i) => ({ ...r, label: i % 2 ? `{"size":${i},"x":"<a"}` : r.label }));
    const done = await engine.startRun(spec({ ...SETTINGS, maxSteps: 1, method: 'qlora' }, 'more-chars', adapter, rows));
    expect(done.status).toBe('done');
    expect(done.plan.data.addedCharacters).toEqual(['<']);
    const before = JSON.parse(adapter['adapter_config.json'] as string) as { trainable_token_indices: Record<string, number[]> };
    const after = JSON.parse((await engine.exportRunAdapter('more-chars', 'latest'))['adapter_config.json'] as string) as typeof before;
    expect(after.trainable_token_indices.shared).toHaveLength(before.trainable_token_indices.shared.length + 1);
    expect(after.trainable_token_indices.shared).toEqual(expect.arrayContaining(before.trainable_token_indices.shared));
  });

  it('refuses settings that contradict the adapter, full fine-tuning, and another base, naming the field', async () => {
    const kindOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof EngineError ? `${err.kind}: ${err.message}` : `other: ${err}`));
    expect(await kindOf(engine.planRun(spec({ ...SETTINGS, lora: { rank: 8 } as never }, 'x', adapter)))).toMatch(/^bad-input: rank 8 differs from the adapter's r 2/);
    expect(await kindOf(engine.planRun(spec({ ...SETTINGS, lora: { alpha: 16 } as never }, 'x', adapter)))).toMatch(/^bad-input: alpha 16 differs from the adapter's lora_alpha 4/);
    expect(await kindOf(engine.planRun(spec({ ...SETTINGS, lora: { targets: ['q'] } as never }, 'x', adapter)))).toMatch(/^bad-input: targets q differs from the adapter's target modules q,v,wo/);
    expect(await kindOf(engine.planRun(spec({ ...SETTINGS, method: 'full' }, 'x', adapter)))).toMatch(/^bad-input: method full cannot continue adapter first\.zip/);
    // A rank the adapter has everywhere is no contradiction.
    expect((await engine.planRun(spec({ ...SETTINGS, lora: { rank: 2 } as never }, 'x', adapter))).config.lora.rank).toBe(2);
    const other = { ...spec(SETTINGS, 'x', adapter), model: { kind: 'folder' as const, path: join(FIXTURES, 'tiny-t5/tied-relu') } };
    expect(await kindOf(engine.planRun(other))).toMatch(/^bad-input: first\.zip\/adapter_model\.safetensors: base_model\.model\.\S+ has shape/);
  });
});
