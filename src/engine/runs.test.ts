// Training runs through the Node engine with the folder run store, on the tiny checkpoint: exact resume (N steps
// straight vs N/2 + pause + resume + N/2 give bit-identical losses) for full fine-tuning and LoRA, the run folder's
// format, and refusals with kinds.
import 'fake-indexeddb/auto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIdbRunStore } from '../hosts/browser/run-store';
import { createNodeEngine, folderOpener } from '../hosts/node/engine';
import { Engine } from './engine';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import type { RunConfig } from '../settings/run-config';
import { EngineError } from './errors';
import type { MetricRow, RunEvent, RunSpec, TrainingRow } from './run-api';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic'].map((region, i) => ({
  id: `r${i}`,
  question: `How many sales in ${region}?`,
  label: `{"size":${i}}`,
  rationale: `count sales in ${region.toLowerCase()}`,
}));

function spec(config: Partial<RunConfig>, id?: string): RunSpec {
  return { id, config, model: { kind: 'folder', path: TINY }, data: { name: 'tiny rows', rows: ROWS } };
}

/** The Node engine with the folder store (the CLI's), or with the IndexedDB store (the worker's). */
async function engine(store: 'folder' | 'idb' = 'folder') {
  if (store === 'idb') return { engine: new Engine(await testGpu(), { openers: [folderOpener], runStore: await openIdbRunStore(`runs-${Math.random()}`) }), root: null };
  const root = mkdtempSync(join(tmpdir(), 'stepwise-runs-'));
  roots.push(root);
  return { engine: createNodeEngine(await testGpu(), { runsDir: root }), root };
}

const losses = (rows: MetricRow[]) => rows.map((r) => (r.kind === 'train' ? [r.step, r.loss, r.loss_label, r.loss_rationale, r.lr, r.grad_norm] : [r.step, r.eval_loss, r.eval_loss_label]));

const SMALL: Partial<RunConfig> = { batchSize: 2, evalFraction: 0.25, maxSteps: 4, lr: 1e-3, schedule: 'linear', warmupSteps: 1, maxInputLength: 16, maxTargetLength: 12 };

const CASES = [
  ['full', 'folder', {}],
  ['lora', 'idb', { lora: { rank: 4, alpha: 8, dropout: 0.1, targets: ['q', 'v', 'wo'], rslora: false } }],
] as const;

for (const [method, store, extra] of CASES) {
  describe(`a ${method} run (${store} store)`, { timeout: 400_000 }, () => {
    it('N steps straight and N/2 + pause + resume + N/2 give bit-identical losses (dropout and shuffle on)', async () => {
      const { engine: e, root } = await engine(store);
      const config = { ...SMALL, method, ...extra } as Partial<RunConfig>;
      const plan = await e.planRun(spec(config));
      expect(plan.totalSteps).toBe(4);
      expect(plan.data.trainRows + plan.data.evalRows).toBe(ROWS.length);
      expect(plan.data.evalRows).toBeGreaterThan(0);

      const straight = await e.startRun(spec(config, 'straight'));
      expect(straight.status).toBe('done');
      expect(straight.step).toBe(4);
      const want = await e.runMetrics('straight');
      expect(want.filter((r) => r.kind === 'train')).toHaveLength(4);
      expect(want.some((r) => r.kind === 'eval')).toBe(true);

      const events: RunEvent[] = [];
      const paused = await e.startRun(spec(config, 'halves'), (ev) => {
        events.push(ev);
        if (ev.type === 'metrics' && ev.row.kind === 'train' && ev.row.step === 2) void e.pauseRun('halves');
      });
      expect(paused.status).toBe('paused');
      expect(paused.step).toBe(2);
      expect(paused.checkpoints.latest?.step).toBe(2);
      expect(events[0].type).toBe('plan');
      expect(events.some((ev) => ev.type === 'checkpoint' && ev.name === 'latest')).toBe(true);
      const resumed = await e.resumeRun('halves');
      expect(resumed.status).toBe('done');
      const got = await e.runMetrics('halves');
      expect(losses(got)).toEqual(losses(want));
      expect(got.every((r) => Number.isFinite(r.kind === 'train' ? r.loss : r.eval_loss))).toBe(true);

      if (method === 'lora') {
        const adapter = await e.exportRunAdapter('halves', 'best');
        expect(JSON.parse(adapter['adapter_config.json'] as string).r).toBe(4);
        expect(Object.keys(adapter)).toEqual(expect.arrayContaining(['adapter_model.safetensors', 'tokenizer.json', 'README.md']));
      }
      expect((await e.listRuns()).map((r) => r.id).sort()).toEqual(['halves', 'straight']);
      if (!root) return;
      // The folder format: run.json, metrics.jsonl, data.json, checkpoints/latest and best.
      const dir = join(root, 'halves');
      expect(readdirSync(dir).sort()).toEqual(['checkpoints', 'data.json', 'metrics.jsonl', 'run.json']);
      expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual(['best', 'latest']);
      const latest = readdirSync(join(dir, 'checkpoints', 'latest')).sort();
      expect(latest).toEqual(expect.arrayContaining(['optimizer.safetensors', 'state.json', 'tokenizer.json', 'tokenizer_config.json']));
      expect(latest).toContain(method === 'full' ? 'model.safetensors' : 'weights.safetensors');
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricRow);
      expect(lines.map((r) => r.step)).toEqual(got.map((r) => r.step));
    });
  });
}

it('a lost device stops the run as interrupted (kind device-lost), and it resumes to the end', { timeout: 400_000 }, async () => {
  const { engine: e } = await engine();
  const gpu = await testGpu();
  // Dawn cannot lose a device on demand: deliver the loss report the Gpu would send for device.lost.
  const lose = () => (gpu as unknown as { report(r: { kind: string; message: string; programs: string[] }): void }).report({ kind: 'device-lost', message: 'simulated loss', programs: [] });
  const config: Partial<RunConfig> = { ...SMALL, method: 'full', maxSteps: 2 };
  const failed = await e.startRun(spec(config, 'lost'), (ev) => {
    if (ev.type === 'metrics' && ev.row.step === 1) lose();
  }).then(() => null, (err: unknown) => err);
  expect(failed).toBeInstanceOf(EngineError);
  expect((failed as EngineError).kind).toBe('device-lost');
  const record = await e.getRun('lost');
  expect(record?.status).toBe('interrupted');
  expect(record?.error?.kind).toBe('device-lost');
  const resumed = await e.resumeRun('lost');
  expect(resumed.status).toBe('done');
  expect((await e.runMetrics('lost')).filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2]);
});

it('the plan says how a micro-batch runs: both tasks in one pass, a pass per task where their logits would not fit, or label-only', async () => {
  const { engine: e } = await engine();
  const joint = await e.planRun(spec(SMALL));
  expect(joint.memory).toMatchObject({ passes: 1, sequencesPerPass: 4 });
  // Parameters as PEFT counts them: a LoRA run's total holds its adapters, so trainable is a part of it.
  const lora = await e.planRun(spec({ ...SMALL, method: 'lora', lora: { rank: 64, alpha: 64, dropout: 0, targets: ['q', 'v', 'wo'], rslora: false } }));
  const full = await e.planRun(spec({ ...SMALL, method: 'full' }));
  expect(full.trainableParams).toBe(full.totalParams);
  expect(lora.totalParams).toBe(full.totalParams + lora.trainableParams);
  const labelOnly = await e.planRun(spec({ ...SMALL, a: 1 }));
  expect(labelOnly.memory).toMatchObject({ passes: 1, sequencesPerPass: 2 });
  // The estimate counts the pass's rows: the joint pass holds more activations than the label task alone.
  expect(joint.memory.estimate.activations).toBeGreaterThan(labelOnly.memory.estimate.activations);
  // A batch whose logits fit one binding but both tasks' logits do not (at batch 1000 the logits are the largest buffer).
  const wide = (await e.planRun(spec({ ...SMALL, batchSize: 1000 }))).memory;
  expect(wide.largestBuffer.what).toMatch(/^logits/);
  const limit = Math.min(wide.maxBufferSize, wide.maxStorageBufferBindingSize);
  const perRow = wide.largestBuffer.bytes / wide.sequencesPerPass;
  const batchSize = Math.floor(limit / perRow / 2) + 1;
  expect(2 * batchSize * perRow).toBeGreaterThan(limit);
  const split = await e.planRun(spec({ ...SMALL, batchSize }));
  expect(split.memory).toMatchObject({ passes: 2, sequencesPerPass: batchSize, fits: true });
});

it('a QLoRA run trains its adapter on the NF4 base and exports it with the tokenizer', { timeout: 400_000 }, async () => {
  const { engine: e } = await engine();
  const config: Partial<RunConfig> = { ...SMALL, method: 'qlora', maxSteps: 3, lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v'], rslora: true } };
  const plan = await e.planRun(spec(config));
  // NF4 stores the block linears in about an eighth of their f32 bytes.
  expect(plan.memory.estimate.weights).toBeLessThan((await e.planRun(spec({ ...config, method: 'lora' }))).memory.estimate.weights);
  const done = await e.startRun(spec(config, 'q'));
  expect(done.status).toBe('done');
  const rows = (await e.runMetrics('q')).filter((r) => r.kind === 'train');
  expect(rows.map((r) => r.step)).toEqual([1, 2, 3]);
  expect(rows.every((r) => r.kind === 'train' && Number.isFinite(r.loss) && r.grad_norm > 0 && r.gpu_peak_bytes > 0)).toBe(true);
  const adapter = await e.exportRunAdapter('q', 'latest');
  expect(JSON.parse(adapter['adapter_config.json'] as string)).toMatchObject({ r: 4, use_rslora: true });
  expect(adapter['tokenizer.json']).toBeDefined();
});

describe('run refusals carry a kind', () => {
  it('bad settings, a taken id, a second run while one trains, a run that will not fit', async () => {
    const { engine: e } = await engine();
    const kindOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof EngineError ? `${err.kind}: ${err.message}` : `other: ${err}`));
    expect(await kindOf(e.planRun(spec({ lora: { rank: 0 } as never })))).toMatch(/^bad-input: run settings: lora\.rank must be a positive integer/);
    expect(await kindOf(e.planRun({ ...spec({}), data: { name: 'empty', rows: [] } }))).toMatch(/^bad-input: .*no usable rows/);
    expect(await kindOf(e.resumeRun('nope'))).toMatch(/^not-found/);
    // The tiny model's logits for 2^20 rows overflow any buffer limit.
    expect(await kindOf(e.startRun(spec({ batchSize: 1 << 20, maxSteps: 1 }, 'huge')))).toMatch(/^out-of-memory: the run will not fit: the largest buffer, logits/);
    let second = '';
    const first = e.startRun(spec({ ...SMALL, method: 'full', maxSteps: 2 }, 'one'), (ev) => {
      if (ev.type === 'metrics' && !second) void kindOf(e.startRun(spec({ ...SMALL, maxSteps: 1 }, 'two'))).then((k) => (second = k));
    });
    expect((await first).status).toBe('done');
    expect(second).toMatch(/^busy/);
    expect(await kindOf(e.startRun(spec({ ...SMALL, maxSteps: 1 }, 'one')))).toMatch(/^bad-input: a run named one already exists/);
  });
});
