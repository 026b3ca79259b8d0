// The Export page's "Ray Train job" zip on a stored run (seeded in IndexedDB: nothing trains) whose base is a tiny
// checkpoint on a hub-style server: the zip holds exactly the files `stepwise export-ray --run` writes for the same
// run, byte for byte, so the browser's bundled templates and the worker's engine build what the CLI builds.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { exportRayCommand } from '../src/cli/export-ray';
import type { RunData, RunRecord } from '../src/engine/run-api';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { readTree } from '../src/ray/ray-bundle.testing';
import { parseRunConfig } from '../src/settings/run-config';
import { startTinyHub } from './tiny-hub';

const ID = 'tiny/ray-e2e';
// No "{" "}" pieces: the bundle carries the repaired tokenizer, as a real run's would.
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 8, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}', seed: 5 });
const DATA: RunData = {
  name: 'ray e2e rows',
  rows: ['count sales', 'top orders', 'all customers', 'revenue per region', 'orders last month', 'returns per week'].map((q, i) => ({
    id: `q${i}`, question: q, label: JSON.stringify({ size: i, query: { match_all: {} } }), rationale: i === 2 ? '' : `the ${q} ${i}`,
  })),
};
const CONFIG = parseRunConfig({ method: 'lora', seed: 4, batchSize: 2, evalFraction: 0.34, maxInputLength: 12, maxTargetLength: 10, lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v'], rslora: false } });

test('the Ray Train job zip of a run equals export-ray --run, file for file', async ({ page }) => {
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    const now = 1_700_000_000_000;
    const record = {
      id: 'ray-e2e-run', name: 'ray e2e', createdAt: now, updatedAt: now, config: CONFIG,
      model: { kind: 'hub', id: ID, baseUrl: hub.base, revision: 'main', label: ID },
      data: { name: DATA.name, rows: DATA.rows.length, trainRows: 3, evalRows: 3 },
      status: 'done', step: 0, totalSteps: 2, epoch: 0, trainSeconds: 0, best: null, final: null, peakGpuBytes: 0, checkpoints: {},
      plan: null as unknown as RunRecord['plan'],
    } satisfies RunRecord;

    await page.goto('/');
    await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
    // The run as the browser's run store keeps it (hosts/browser/run-store.ts: "runs" by id, "data" by run id).
    await page.evaluate(async ({ record, data }) => {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const req = indexedDB.open('stepwise-runs', 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('data');
          d.createObjectStore('metrics', { keyPath: ['runId', 'seq'] });
          d.createObjectStore('files');
          d.createObjectStore('pointers');
        };
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      const tx = db.transaction(['runs', 'data'], 'readwrite');
      tx.objectStore('runs').put(record);
      tx.objectStore('data').put(data, record.id);
      await new Promise((ok, fail) => Object.assign(tx, { oncomplete: ok, onerror: () => fail(tx.error) }));
      db.close();
    }, { record, data: DATA });

    await page.getByRole('navigation', { name: 'Studio' }).getByRole('button', { name: 'Export' }).click();
    const ray = page.getByTestId('ray-export');
    await expect(ray.getByLabel('From')).toHaveValue(`run:${record.id}`);
    await ray.getByLabel('Worker count').fill('2');
    await ray.getByLabel('GPUs per worker').fill('4');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), ray.getByRole('button', { name: 'Ray Train job' }).click()]);
    expect(download.suggestedFilename()).toBe('ray_e2e-ray-job.zip');
    const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));

    // The CLI on the same run folder, with the same checkpoint as a local folder.
    const root = mkdtempSync(join(tmpdir(), 'stepwise-ray-e2e-'));
    const runDir = join(root, record.id);
    const modelDir = join(root, 'model');
    mkdirSync(runDir);
    mkdirSync(modelDir);
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(record));
    writeFileSync(join(runDir, 'data.json'), JSON.stringify(DATA));
    for (const [name, bytes] of CHECKPOINT) writeFileSync(join(modelDir, name), bytes);
    await exportRayCommand(['--run', runDir, '--model', modelDir, '--out', join(root, 'bundle'), '--workers', '2', '--gpus-per-worker', '4']);
    const cli = readTree(join(root, 'bundle'));
    expect(Object.keys(zip).sort()).toEqual([...cli.keys()].sort());
    for (const [name, bytes] of cli) expect(Buffer.from(zip[name]).equals(bytes), name).toBe(true);
    expect(new TextDecoder().decode(zip['rayjob.yaml'])).toContain('nvidia.com/gpu: 4');
  } finally {
    await hub.close();
  }
});
