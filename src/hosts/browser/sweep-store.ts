// Sweep queues in IndexedDB (the studio; fake-indexeddb in Node tests): "queues" holds each sweep's state, "results"
// its results rows and "data" the rows its runs train on (so a reload can resume without the dataset page), all by
// sweep id. The runs themselves live in the run store (run-store.ts), as the engine keeps them.
import { openDB, type IDBPDatabase } from 'idb';
import type { RunData } from '../../engine/run-api';
import type { SweepState, SweepStore } from '../../experiments/queue';
import type { ResultRow } from '../../experiments/results';

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
