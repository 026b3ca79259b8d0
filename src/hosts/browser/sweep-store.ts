// Sweep queues in IndexedDB (the studio; fake-indexeddb in Node tests): "queues" holds each sweep's state, "results"
// its results rows and "data" the rows its runs train on (so a reload can resume without the dataset page), all by
// sweep id. The runs themselves live in the run store (run-store.ts), as the engine keeps them. A tab drives a sweep
// under its Web Lock (lockSweep), so two tabs of the studio never run one queue.
import { openDB, type IDBPDatabase } from 'idb';
import type { RunData } from '../../engine/run-api';
import type { SweepState, SweepStore } from '../../experiments/queue';
import type { ResultRow } from '../../experiments/results';
import { tryLock } from './run-locks';

export const SWEEPS_DB_NAME = 'stepwise-sweeps';

export interface IdbSweeps {
  /** The store of one sweep. */
  sweep(id: string): SweepStore & { saveData(data: RunData): Promise<void>; loadData(): Promise<RunData | null>; loadResults(): Promise<ResultRow[]> };
  /** Every saved sweep id with its state. */
  list(): Promise<{ id: string; state: SweepState }[]>;
  remove(id: string): Promise<void>;
}

export async function openIdbSweeps(name = SWEEPS_DB_NAME): Promise<IdbSweeps> {
  const db: IDBPDatabase<unknown> = await openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore('queues');
      d.createObjectStore('results');
      d.createObjectStore('data');
    },
  });
  return {
    sweep: (id) => ({
      loadQueue: async () => ((await db.get('queues', id)) as SweepState | undefined) ?? null,
      saveQueue: async (state) => void (await db.put('queues', structuredClone(state), id)),
      saveResults: async (rows) => void (await db.put('results', structuredClone(rows), id)),
      loadResults: async () => ((await db.get('results', id)) as ResultRow[] | undefined) ?? [],
      saveData: async (data) => void (await db.put('data', data, id)),
      loadData: async () => ((await db.get('data', id)) as RunData | undefined) ?? null,
    }),
    list: async () => {
      const keys = (await db.getAllKeys('queues')) as string[];
      return Promise.all(keys.map(async (id) => ({ id, state: (await db.get('queues', id)) as SweepState })));
    },
    remove: async (id) => {
      const tx = db.transaction(['queues', 'results', 'data'], 'readwrite');
      await Promise.all([tx.objectStore('queues').delete(id), tx.objectStore('results').delete(id), tx.objectStore('data').delete(id), tx.done]);
    },
  };
}

const lockName = (id: string) => `stepwise-sweep-${id}`;

/**
 * Take sweep `id`'s lock for as long as this tab runs its queue: the function that lets it go, or null while another
 * tab holds it. Tries again for up to waitMs (a reloaded page's previous document may still be letting go). Without
 * Web Locks (an old browser, Node tests) every caller gets it.
 */
export async function lockSweep(id: string, waitMs = 0, locks: LockManager | undefined = globalThis.navigator?.locks): Promise<(() => void) | null> {
  if (!locks) return () => undefined;
  const until = Date.now() + waitMs;
  for (;;) {
    const release = await tryLock(locks, lockName(id));
    if (release || Date.now() >= until) return release;
    await new Promise((r) => setTimeout(r, 250));
  }
}
