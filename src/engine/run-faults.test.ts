// Faults during a run, injected at the engine on the tiny checkpoint: a learning rate that makes the loss overflow
// (non-finite steps are skipped and counted, five in a row stop the run, the latest checkpoint stays finite and
// loadable), and a GPU device destroyed mid-run (the run is interrupted and resumes on a new device with every
// metric row and checkpoint it had). Each adds a row to docs/reliability.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createNodeEngine } from '../hosts/node/engine';
import { createNodeGpu } from '../hosts/node/gpu';
import { FsRunStore } from '../hosts/node/run-store';
import { memorySource } from '../io/byte-source';
import { readSafetensorsHeader, readTensorF32 } from '../io/safetensors';
import type { RunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { reliabilityRecord } from '../testing/reliability';
import { NON_FINITE_LIMIT } from '../train/trainer';
import { EngineError } from './errors';
import type { RunSpec, StepMetrics, TrainingRow } from './run-api';
import { fileBytes, fileText } from '../train/run-files';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const roots: string[] = [];
const record = reliabilityRecord(import.meta.url);
afterAll(() => {
  record.save();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic'].map((region, i) => ({
  id: `r${i}`,
  question: `How many sales in ${region}?`,
  label: `{"size":${i}}`,
  rationale: `count sales in ${region.toLowerCase()}`,
}));

/** 7 train rows in batches of 2: 4 steps an epoch, a latest checkpoint at each epoch's end. */
const SMALL: Partial<RunConfig> = { method: 'full', batchSize: 2, evalFraction: 0.25, lr: 1e-3, schedule: 'constant', warmupSteps: 0, maxInputLength: 16, maxTargetLength: 12 };

const spec = (config: Partial<RunConfig>, id: string): RunSpec => ({ id, config: { ...SMALL, ...config }, model: { kind: 'folder', path: TINY }, data: { name: 'tiny rows', rows: ROWS } });

function runsDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-faults-'));
  roots.push(root);
  return root;
}

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

it('non-finite steps are skipped and counted; five in a row stop the run and the latest checkpoint stays finite', { timeout: 400_000 }, async () => {
  const dir = runsDir();
  const e = createNodeEngine(await testGpu(), { runsDir: dir });
  // lr 1e30: the first update (clipped gradients, Adam's unit-sized step) moves every weight by about 1e30, so every
  // later forward pass overflows to Inf/NaN.
  const err = await failure(e.startRun(spec({ lr: 1e30, maxSteps: 12 }, 'diverges')));
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).kind).toBe('bad-input');
  expect((err as EngineError).message).toMatch(new RegExp(`^the run diverged: ${NON_FINITE_LIMIT} optimizer steps in a row \\(2 to 6\\) had a non-finite loss or gradient norm .* the latest checkpoint \\(step 4\\) is kept\\. Lower the learning rate \\(now 1e\\+30\\)`));

  const run = await e.getRun('diverges');
  expect(run?.status).toBe('failed');
  expect(run?.error?.kind).toBe('bad-input');
  expect(run?.step).toBe(6);
  expect(run?.skippedSteps).toBe(NON_FINITE_LIMIT);
  const steps = (await e.runMetrics('diverges')).filter((r): r is StepMetrics => r.kind === 'train');
  expect(steps.map((r) => [r.step, r.skipped ?? false])).toEqual([[1, false], [2, true], [3, true], [4, true], [5, true], [6, true]]);
  expect(Number.isFinite(steps[0].loss) && Number.isFinite(steps[0].grad_norm)).toBe(true);
  expect(steps.slice(1).every((r) => !Number.isFinite(r.loss) || !Number.isFinite(r.grad_norm))).toBe(true);

  // The latest checkpoint (step 4, saved while steps were being skipped) holds no NaN or Inf: skipped updates never
  // reach the weights or the moments. AdamW's own step counts the one update applied.
  const files = await new FsRunStore(dir).loadCheckpoint('diverges', 'latest');
  expect(files).not.toBeNull();
  const state = JSON.parse(fileText(files!, 'state.json')) as { step: number; skippedSteps: number };
  expect([state.step, state.skippedSteps]).toEqual([4, 3]);
  let values = 0;
  for (const name of ['model.safetensors', 'optimizer.safetensors']) {
    const source = memorySource(fileBytes(files!, name), name);
    const header = await readSafetensorsHeader(source, name);
    if (name === 'optimizer.safetensors') expect(header.metadata.step).toBe('1');
    for (const key of header.tensors.keys()) {
      const t = await readTensorF32(source, header, key);
      const bad = t.findIndex((v) => !Number.isFinite(v));
      expect(bad, `${name} ${key}[${bad}]`).toBe(-1);
      values += t.length;
    }
  }
  record.add({
    area: 'training run',
    input: 'learning rate 1e30 on the tiny model (full fine-tuning): every step after the first has a non-finite loss',
    cases: steps.length,
    outcome: `${run?.skippedSteps} steps skipped and counted, the run stopped as failed (${(err as EngineError).kind}) after ${NON_FINITE_LIMIT} in a row; latest checkpoint (step ${state.step}) loadable, ${values.toLocaleString('en-US')} weights and moments all finite`,
  });
});

it('a GPU device destroyed mid-run interrupts the run; it resumes on a new device with its metrics and checkpoints', { timeout: 400_000 }, async () => {
  const dir = runsDir();
  const gpu = await createNodeGpu();
  const first = createNodeEngine(gpu, { runsDir: dir });
  // Destroyed after step 5's metrics: the latest checkpoint is step 4's, step 5 is trained again after the resume.
  const err = await failure(
    first.startRun(spec({ maxSteps: 6 }, 'destroyed'), (ev) => {
      if (ev.type === 'metrics' && ev.row.kind === 'train' && ev.row.step === 5) gpu.destroy();
    }),
  );
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).kind).toBe('device-lost');
  const cut = await first.getRun('destroyed');
  expect(cut?.status).toBe('interrupted');
  expect(cut?.checkpoints.latest?.step).toBe(4);

  const second = createNodeEngine(await createNodeGpu(), { runsDir: dir });
  const listed = await second.listRuns();
  expect(listed.map((r) => [r.id, r.status])).toEqual([['destroyed', 'interrupted']]);
  const done = await second.resumeRun('destroyed');
  expect(done.status).toBe('done');
  const rows = await second.runMetrics('destroyed');
  expect(rows.filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(rows.filter((r) => r.kind === 'eval').map((r) => r.step)).toEqual([4, 6]);
  expect(done.checkpoints.latest?.step).toBe(6);
  expect((await new FsRunStore(dir).getData('destroyed'))?.rows).toHaveLength(ROWS.length);
  record.add({
    area: 'training run',
    input: 'GPU device destroyed (device.destroy()) after step 5 of 6, resumed by a new engine on a new device',
    cases: 1,
    outcome: `run ${cut?.status} (${(err as EngineError).kind}) with its step-${cut?.checkpoints.latest?.step} checkpoint; resumed to ${done.status}: train rows ${rows.filter((r) => r.kind === 'train').length} (steps 1-6 once), eval rows ${rows.filter((r) => r.kind === 'eval').length}, data ${ROWS.length} rows kept`,
  });
});
