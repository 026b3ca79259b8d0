// Generation evaluations kept with a run, on both hosts: per checkpoint, newest first, a few kept, gone with the run.
import 'fake-indexeddb/auto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvaluation } from '../engine/api';
import type { RunRecord } from '../engine/run-api';
import { KEPT_EVALUATIONS, type RunStore } from '../engine/run-store';
import { RUN_DEFAULTS } from '../settings/run-config';
import { openIdbRunStore } from './browser/run-store';
import { FsRunStore } from './node/run-store';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const record = (id: string): RunRecord => ({
  id, name: id, createdAt: 1, updatedAt: 1, config: RUN_DEFAULTS, model: { kind: 'folder', path: '/m', label: 'm' },
  data: { name: 'd', rows: 2, trainRows: 1, evalRows: 1 }, status: 'done', step: 4, totalSteps: 4, epoch: 1, trainSeconds: 1,
  best: null, final: null, peakGpuBytes: 0, checkpoints: {}, plan: null as unknown as RunRecord['plan'],
});

const evaluation = (at: number, checkpoint: 'best' | 'latest', exact: number): StoredEvaluation => ({
  at, runId: 'a', checkpoint, step: at, dataset: { name: 'sales', evalRows: 12 },
  report: { summary: { exactMatch: exact } } as unknown as StoredEvaluation['report'],
});

const hosts: [string, () => Promise<{ store: RunStore; root?: string }>][] = [
  ['folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'runs-eval-'));
    dirs.push(root);
    return { store: new FsRunStore(root), root };
  }],
  ['IndexedDB', async () => ({ store: await openIdbRunStore(`runs-eval-${Math.random()}`) })],
];

for (const [host, open] of hosts) {
  describe(`run evaluations on ${host}`, () => {
    it('keeps each checkpoint’s evaluations newest first, at most KEPT_EVALUATIONS each, and deletes them with the run', async () => {
      const { store, root } = await open();
      await store.putRun(record('a'));
      await store.putRun(record('b'));
      expect(await store.evaluations!('a')).toEqual([]);
      await store.addEvaluation!('a', evaluation(1, 'best', 0.5));
      await store.addEvaluation!('a', evaluation(2, 'latest', 0.25));
      await store.addEvaluation!('a', evaluation(3, 'best', 0.75));
      expect((await store.evaluations!('a')).map((e) => `${e.checkpoint}${e.at}`)).toEqual(['best3', 'latest2', 'best1']);
      expect((await store.evaluations!('a'))[0].report.summary.exactMatch).toBe(0.75);
      expect(await store.evaluations!('b')).toEqual([]);
      if (root) {
        const onDisk = JSON.parse(await readFile(join(root, 'a', 'eval-best.json'), 'utf8')) as StoredEvaluation[];
        expect(onDisk.map((e) => e.at)).toEqual([3, 1]);
      }
      for (let i = 0; i < KEPT_EVALUATIONS + 3; i++) await store.addEvaluation!('a', evaluation(10 + i, 'latest', 0));
      const latest = (await store.evaluations!('a')).filter((e) => e.checkpoint === 'latest');
      expect(latest).toHaveLength(KEPT_EVALUATIONS);
      expect(latest[0].at).toBe(10 + KEPT_EVALUATIONS + 2);
      // A checkpoint load never sees the evaluations as checkpoint files.
      expect(await store.loadCheckpoint('a', 'best')).toBeNull();
      expect(await store.deleteRun('a')).toBe(true);
      await store.putRun(record('a'));
      expect(await store.evaluations!('a')).toEqual([]);
    });
  });
}
