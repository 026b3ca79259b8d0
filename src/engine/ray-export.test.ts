// The engine's Ray Train job export (the Export page's zip) against the CLI's export-ray on the same stored run: the
// same files, byte for byte; a sweep as one complete bundle per configuration; refusals with a kind.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportRayCommand } from '../cli/export-ray';
import { readJsonlRows } from '../cli/jsonl-rows';
import { createNodeEngine } from '../hosts/node/engine';
import { FsRunStore } from '../hosts/node/run-store';
import { makeRayFixture, readTree, type RayFixture } from '../ray/ray-bundle.testing';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { testGpu } from '../testing/gpu';
import type { Engine } from './engine';
import type { FileRecord, RunData, RunRecord } from './run-api';

const CONFIG: Partial<RunConfig> = { method: 'lora', seed: 3, batchSize: 2, evalFraction: 0.3, maxInputLength: 10, maxTargetLength: 8, lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v'], rslora: false } };
const CLUSTER = ['--workers', '3', '--gpus-per-worker', '2', '--image', 'registry.example/ray:gpu'];

let f: RayFixture;
let engine: Engine;
let data: RunData;
let runsDir: string;

/** A stored run as the engine keeps it (run.json, data.json), with the plan the engine made for it. */
async function storeRun(id: string, model: RunRecord['model']): Promise<void> {
  const plan = await engine.planRun({ config: CONFIG, model: { kind: 'folder', path: f.model }, data });
  const now = 1_700_000_000_000;
  const record: RunRecord = {
    id, name: `${id}, as a person named it`, createdAt: now, updatedAt: now, config: parseRunConfig(CONFIG), model,
    data: { name: data.name, rows: data.rows.length, trainRows: plan.data.trainRows, evalRows: plan.data.evalRows },
    status: 'done', step: 0, totalSteps: plan.totalSteps, epoch: 0, trainSeconds: 0, best: null, final: null, peakGpuBytes: 0, checkpoints: {}, plan,
  };
  const store = new FsRunStore(runsDir);
  await store.putRun(record);
  await store.putData(id, data);
}

function expectSameFiles(files: FileRecord, folder: string): void {
  const written = readTree(folder);
  expect(Object.keys(files).sort()).toEqual([...written.keys()].sort());
  for (const [name, bytes] of written) {
    const content = files[name];
    expect(Buffer.from(typeof content === 'string' ? new TextEncoder().encode(content) : content).equals(bytes), name).toBe(true);
  }
}

const under = (files: FileRecord, prefix: string): FileRecord =>
  Object.fromEntries(Object.entries(files).filter(([n]) => n.startsWith(prefix)).map(([n, c]) => [n.slice(prefix.length), c]));

beforeAll(async () => {
  f = makeRayFixture(CONFIG);
  runsDir = join(f.root, 'runs');
  engine = createNodeEngine(await testGpu(), { runsDir });
  ({ data } = await readJsonlRows(f.data));
  await storeRun('tiny-lora', { kind: 'folder', path: f.model, label: 'tiny' });
});

describe('engine.exportRayBundle', () => {
  it('gives the files export-ray --run writes for the same run, byte for byte', async () => {
    const files = await engine.exportRayBundle({ kind: 'run', runId: 'tiny-lora' }, { workers: 3, gpusPerWorker: 2, image: 'registry.example/ray:gpu' });
    const out = join(f.root, 'cli-bundle');
    await exportRayCommand(['--run', join(runsDir, 'tiny-lora'), '--out', out, ...CLUSTER]);
    expectSameFiles(files, out);
    expect(files['rayjob.yaml']).toContain('nvidia.com/gpu: 2');
    expect(files['rayjob.yaml']).toContain('replicas: 3');
    expect(JSON.parse(files['bundle.json'] as string).base_model).toBe(f.model);
  });

  it('passes --base-model and the defaults through like the CLI', async () => {
    const files = await engine.exportRayBundle({ kind: 'run', runId: 'tiny-lora' }, { baseModel: 'google/flan-t5-small' });
    const out = join(f.root, 'cli-defaults');
    await exportRayCommand(['--run', join(runsDir, 'tiny-lora'), '--out', out, '--base-model', 'google/flan-t5-small']);
    expectSameFiles(files, out);
  });

  it('exports a sweep as one complete bundle per configuration and a sweep.json listing them', async () => {
    const model = { kind: 'folder' as const, path: f.model };
    const files = await engine.exportRayBundle(
      { kind: 'sweep', name: 'grid', data, configurations: [{ id: 'tiny-lora', model, config: CONFIG }, { id: 'tiny-full', model, config: { ...CONFIG, method: 'full' } }] },
      { workers: 3, gpusPerWorker: 2, image: 'registry.example/ray:gpu' },
    );
    // The configuration with the run's id and settings is that run's bundle.
    expectSameFiles(under(files, 'tiny-lora/'), join(f.root, 'cli-bundle'));
    const full = under(files, 'tiny-full/');
    expect(JSON.parse(full['run.json'] as string).method).toBe('full');
    expect(full['data/train.jsonl']).toBe(files['tiny-lora/data/train.jsonl']);
    const sweep = JSON.parse(files['sweep.json'] as string);
    expect(sweep.configurations.map((c: { folder: string; method: string; rank: number | null }) => [c.folder, c.method, c.rank])).toEqual([['tiny-lora', 'lora', 4], ['tiny-full', 'full', null]]);
  });

  it('refuses with a kind: an unknown run, a picked-folder run without its model loaded, a bad cluster', async () => {
    await expect(engine.exportRayBundle({ kind: 'run', runId: 'nope' })).rejects.toMatchObject({ kind: 'not-found' });
    await storeRun('picked', { kind: 'files', label: 'tiny-picked', fileCount: 3 });
    await expect(engine.exportRayBundle({ kind: 'run', runId: 'picked' })).rejects.toMatchObject({ kind: 'bad-input', message: expect.stringMatching(/picked folder tiny-picked/) });
    await expect(engine.exportRayBundle({ kind: 'run', runId: 'tiny-lora' }, { workers: 0 })).rejects.toMatchObject({ kind: 'bad-input', message: expect.stringMatching(/workers must be a positive integer/) });
    await expect(engine.exportRayBundle({ kind: 'sweep', name: 'g', data, configurations: [] })).rejects.toMatchObject({ kind: 'bad-input' });
  });
});
