// The Train page's store driving the real engine in-thread (Node, Dawn, folder run store), on the tiny checkpoint:
// a run's events arrive batched into the store, the final record lands in the runs list, a pause then a resume
// finish it, a run that will not fit is refused before anything is stored, and bad input comes back with its kind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSpec, TrainingRow } from '../../engine/run-api';
import { createNodeEngine } from '../../hosts/node/engine';
import type { RunConfig } from '../../settings/run-config';
import { FIXTURES } from '../../testing/checkpoint';
import { testGpu } from '../../testing/gpu';
import { createTrainStore } from './train-slice';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Nordic'].map((region, i) => ({
  id: `r${i}`,
  question: `How many sales in ${region}?`,
  label: `{"size":${i}}`,
  rationale: `count sales in ${region.toLowerCase()}`,
}));
const CONFIG: Partial<RunConfig> = { method: 'lora', lora: { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v'], rslora: false }, batchSize: 2, evalFraction: 0.34, maxSteps: 4, lr: 1e-3, maxInputLength: 16, maxTargetLength: 12 };
const spec = (config: Partial<RunConfig> = CONFIG, rows = ROWS): RunSpec => ({ name: 'slice test', config, model: { kind: 'folder', path: TINY }, data: { name: 'tiny rows', rows } });

async function store() {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-train-slice-'));
  roots.push(root);
  const engine = createNodeEngine(await testGpu(), { runsDir: root });
  return createTrainStore({ engine: () => engine, storage: () => null });
}

describe('train slice on the Node engine', () => {
  it('starts a run, pauses it at a step boundary, resumes and finishes; metrics and records land in the store', async () => {
    const s = await store();
    await s.getState().init();
    expect(s.getState().runs).toEqual([]);

    // Pause once, as soon as the store has seen two optimizer steps (the batcher delivers them on its timer in Node).
    // Once: pauseRun sets state, which would call this listener again, and again.
    let pauseAsked = false;
    const unsubscribe = s.subscribe((state) => {
      if (pauseAsked || !state.lastStep || state.lastStep.step < 2 || !state.activeRunId) return;
      pauseAsked = true;
      void state.pauseRun();
    });
    await s.getState().startRun(spec());
    unsubscribe();
    const afterPause = s.getState();
    expect(afterPause.error).toBeNull();
    expect(afterPause.activeRunId).toBeNull();
    expect(afterPause.runs).toHaveLength(1);
    const paused = afterPause.runs[0];
    expect(paused.status).toBe('paused');
    expect(paused.step).toBeGreaterThanOrEqual(2);
    expect(paused.step).toBeLessThan(4);
    const seen = afterPause.metrics[paused.id].filter((r) => r.kind === 'train').map((r) => r.step);
    expect(seen).toEqual(Array.from({ length: paused.step }, (_, i) => i + 1));

    await s.getState().resumeRun(paused.id);
    const done = s.getState().runs[0];
    expect(s.getState().error).toBeNull();
    expect(done.status).toBe('done');
    expect(done.step).toBe(4);
    expect(s.getState().info).toContain('finished at step 4 of 4');
    // The stored curve continues where it stopped: every step once, and at least one evaluation.
    const rows = s.getState().metrics[paused.id];
    expect(rows.filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(rows.some((r) => r.kind === 'eval')).toBe(true);

    await s.getState().deleteRun(paused.id);
    expect(s.getState().runs).toEqual([]);
    expect(s.getState().metrics[paused.id]).toBeUndefined();
  }, 240_000);

  it('refuses a run that will not fit before anything is stored, naming the numbers', async () => {
    const s = await store();
    await s.getState().startRun(spec({ ...CONFIG, batchSize: 1 << 20, maxSteps: 1 }));
    const { error, runs, plan } = s.getState();
    expect(error?.kind).toBe('out-of-memory');
    expect(error?.message).toMatch(/will not fit: .*MiB/);
    expect(plan?.memory.fits).toBe(false);
    expect(runs).toEqual([]);
  }, 120_000);

  it('brings bad input back with its kind and the field named', async () => {
    const s = await store();
    const plan = await s.getState().planRun(spec({ ...CONFIG, batchSize: 0 }));
    expect(plan).toBeNull();
    expect(s.getState().error?.kind).toBe('bad-input');
    expect(s.getState().error?.message).toContain('batchSize');
  }, 60_000);
});
