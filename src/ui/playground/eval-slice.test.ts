// The evaluation panel's store with the real engine in-thread (Dawn, tiny checkpoint) and a dataset on disk: it
// evaluates the first N eval-split rows (rejected ones left out), reports progress, and cancels.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { createNodeEngine } from '../../hosts/node/engine';
import { FsDatasetStore } from '../../hosts/node/fs-dataset-store';
import { FIXTURES } from '../../testing/checkpoint';
import { testGpu } from '../../testing/gpu';
import { testDatasetMeta } from '../datasets/test-dataset.testing';
import { createEvalPanelStore } from './eval-slice';

it('evaluates the eval split of a dataset with progress, and cancels', async () => {
  const engine = createNodeEngine(await testGpu());
  await engine.loadModel({ kind: 'folder', path: join(FIXTURES, 'tiny-t5/untied-gated') });
  const store = new FsDatasetStore(mkdtempSync(join(tmpdir(), 'h8-eval-')));
  const meta = testDatasetMeta({ id: 'ds', name: 'sales test' });
  await store.putDataset(meta);
  const row = (i: number, status: DatasetRow['status']): DatasetRow => ({
    id: `r${String(i).padStart(3, '0')}`, datasetId: 'ds', question: `How many sales in region ${i}?`, label: `{"query":{"term":{"region":"r${i}"}}}`,
    rationale: `Filter region r${i}.`, source: 'manual', status, validity: { parses: true, valid: true, problems: [] }, createdAt: i, updatedAt: i,
  });
  await store.putRows(Array.from({ length: 100 }, (_, i) => row(i, i % 7 === 0 ? 'rejected' : 'accepted')));
  const evalIds = (await store.listRows('ds', { split: 'eval' })).filter((r) => r.status !== 'rejected').map((r) => r.id);
  expect(evalIds.length).toBeGreaterThan(3);

  const panel = createEvalPanelStore({ engine: () => engine, datasets: async () => store });
  await panel.getState().refresh();
  expect(panel.getState().datasetId).toBe('ds');
  panel.getState().set({ limit: 3, maxNewTokens: 6, constrained: true });
  const seen: number[] = [];
  const off = panel.subscribe((s) => {
    const p = s.running?.progress;
    if (p && p.phase === 'label') seen.push(p.done);
  });
  await panel.getState().run();
  off();
  const report = panel.getState().report!;
  expect(panel.getState().error).toBeNull();
  expect(report.samples.map((s) => s.id)).toEqual(evalIds.slice(0, 3));
  expect(report.evalRows).toBe(evalIds.length);
  expect(report.summary.jsonValidity).toBe(1);
  expect(report.samples.every((s) => s.predictedRationale !== null)).toBe(true);
  expect(seen).toContain(3);

  panel.getState().set({ limit: 0, maxNewTokens: 40 });
  const running = panel.getState().run();
  await new Promise<void>((ok) => {
    const stop = panel.subscribe((s) => {
      if (s.running?.progress) {
        stop();
        ok();
      }
    });
  });
  await panel.getState().cancel();
  await running;
  expect(panel.getState().error).toBe('Evaluation cancelled.');
  expect(panel.getState().running).toBeNull();
});
