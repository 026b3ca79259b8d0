// Two tabs of one studio on one IndexedDB run store, with one lock manager between them (the Web Locks API's
// behaviour for request(ifAvailable) and query(), in memory): the run belongs to the tab that started it; the other
// sees it as training elsewhere, cannot resume or delete it, and can resume it once the lock is gone.
import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { webRunLocks } from '../hosts/browser/run-locks';
import { openIdbRunStore } from '../hosts/browser/run-store';
import { folderOpener } from '../hosts/node/engine';
import type { RunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { reliabilityRecord } from '../testing/reliability';
import { Engine } from './engine';
import { EngineError } from './errors';
import type { RunRecord, RunSpec, TrainingRow } from './run-api';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

/** Web Locks' exclusive locks, ifAvailable requests and query(), for the tabs of one origin. */
function memoryLockManager(): LockManager {
  const held = new Set<string>();
  return {
    async request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) {
      if (!options.ifAvailable) throw new Error('only ifAvailable requests are modelled');
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name, mode: 'exclusive' });
      } finally {
        held.delete(name);
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name, mode: 'exclusive' as const, clientId: 'tab' })), pending: [] };
    },
  } as unknown as LockManager;
}

it('lock names: taken once, released, reported held', async () => {
  const locks = webRunLocks(memoryLockManager());
  const release = await locks.acquire('a');
  expect(release).toBeTypeOf('function');
  expect(await locks.acquire('a')).toBeNull();
  expect([...(await locks.held())]).toEqual(['a']);
  release!();
  await new Promise((r) => setTimeout(r, 0));
  expect([...(await locks.held())]).toEqual([]);
  expect(await locks.acquire('a')).toBeTypeOf('function');
});

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic'].map((region, i) => ({
  id: `r${i}`,
  question: `How many sales in ${region}?`,
  label: `{"size":${i}}`,
  rationale: `count sales in ${region.toLowerCase()}`,
}));
const CONFIG: Partial<RunConfig> = { method: 'full', batchSize: 2, evalFraction: 0.25, maxSteps: 2, lr: 1e-3, maxInputLength: 16, maxTargetLength: 12 };
const spec: RunSpec = { id: 'shared', config: CONFIG, model: { kind: 'folder', path: join(FIXTURES, 'tiny-t5/untied-gated') }, data: { name: 'tiny rows', rows: ROWS } };

it('a run training in one tab is "elsewhere" in the other: no resume, no delete; resumable there once it stops', { timeout: 400_000 }, async () => {
  const gpu = await testGpu();
  const db = `runs-${Math.random()}`;
  const lockManager = memoryLockManager();
  const tab = async () => new Engine(gpu, { openers: [folderOpener], runStore: await openIdbRunStore(db), runLocks: webRunLocks(lockManager) });
  const [a, b] = [await tab(), await tab()];
  const kindOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof EngineError ? `${e.kind}: ${e.message}` : `other: ${e}`));

  let seen: { listed: RunRecord[]; resume: string; remove: string } | null = null;
  const done = await a.startRun(spec, (ev) => {
    if (ev.type !== 'metrics' || seen) return;
    seen = { listed: [], resume: '', remove: '' };
    const s = seen;
    void (async () => {
      s.listed = await b.listRuns();
      s.resume = await kindOf(b.resumeRun('shared'));
      s.remove = await kindOf(b.deleteRun('shared'));
    })();
  });
  expect(done.status).toBe('done');
  await new Promise((r) => setTimeout(r, 50));
  const s = seen as unknown as { listed: RunRecord[]; resume: string; remove: string };
  expect(s.listed.map((r) => [r.id, r.status, r.elsewhere])).toEqual([['shared', 'running', true]]);
  expect(s.resume).toMatch(/^busy: run shared is training in another tab of this studio/);
  expect(s.remove).toMatch(/^busy: run shared is training in another tab/);
  expect((await b.getRun('shared'))?.status).toBe('done');
  expect((await b.runMetrics('shared')).filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2]);

  // A run left "running" with no lock held (its tab closed): interrupted, and the other tab resumes it.
  const store = await openIdbRunStore(db);
  const left = (await store.getRun('shared'))!;
  await store.putRun({ ...left, status: 'running', step: 1, totalSteps: 3 });
  const listed = await b.getRun('shared');
  expect([listed?.status, listed?.elsewhere]).toEqual(['interrupted', undefined]);
  const resumed = await b.resumeRun('shared', undefined, { maxSteps: 3 });
  expect(resumed.status).toBe('done');
  record.add({
    area: 'training run',
    input: 'two tabs (engines) on one IndexedDB run store and one lock manager: the second lists, resumes and deletes a run the first is training',
    cases: 3,
    outcome: `listed as running elsewhere, resume and delete refused (${s.resume.split(':')[0]}); the run finished in its own tab with ${done.step} steps; once its lock was gone the other tab resumed it to ${resumed.status}`,
  });
});
