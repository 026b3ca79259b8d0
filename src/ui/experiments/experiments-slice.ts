// The Experiments page's state: the sweep queue (persisted in IndexedDB through hosts/browser/sweep-store, run by
// the engine worker one configuration after another), its results rows, and imported SWEEP_DIR results. A reload
// finds the saved queue; "Resume sweep" continues it (the run that was training resumes from its checkpoint).
import { create } from 'zustand';
import type { RunData, RunEvent } from '../../engine/run-api';
import type { Trial } from '../../experiments/grid';
import { mergeQueue, SweepQueue, type QueueEntry, type SweepState } from '../../experiments/queue';
import type { ResultRow } from '../../experiments/results';
import { openIdbSweeps } from '../../hosts/browser/sweep-store';
import { pageTrainEngine } from '../train/run-client';

const SWEEP_ID = 'current';

export interface ExperimentsState {
  entries: QueueEntry[];
  kind: SweepState['kind'] | null;
  running: boolean;
  /** The training trial's id and its last step. */
  live: { id: string; step: number; total: number } | null;
  results: ResultRow[];
  imported: { name: string; rows: ResultRow[] } | null;
  error: string | null;
  loaded: boolean;
  load(): Promise<void>;
  start(kind: SweepState['kind'], trials: Trial[], data: RunData): Promise<void>;
  resume(): Promise<void>;
  pause(): Promise<void>;
  cancel(id: string): Promise<void>;
  move(id: string, by: number): Promise<void>;
  clear(): Promise<void>;
  setImported(imported: ExperimentsState['imported']): void;
  setError(error: string | null): void;
}

let queue: SweepQueue | null = null;

let db: ReturnType<typeof openIdbSweeps> | null = null;
const sweeps = () => (db ??= openIdbSweeps());

async function drive(q: SweepQueue): Promise<void> {
  const set = useExperiments.setState;
  const sync = async () => {
    const store = (await sweeps()).sweep(SWEEP_ID);
    set({ entries: q.entries.map((e) => ({ ...e })), results: await store.loadResults() });
  };
  set({ running: true, error: null });
  try {
    await q.run({
      onEvent: (trial, e: RunEvent) => {
        if (e.type === 'plan') set({ live: { id: trial.id, step: 0, total: e.plan.totalSteps } });
        else if (e.type === 'metrics' && e.row.kind === 'train') set((s) => ({ live: s.live && { ...s.live, step: e.row.step } }));
      },
      onEntry: () => void sync(),
    });
  } catch (e) {
    set({ error: e instanceof Error ? e.message : String(e) });
  } finally {
    set({ running: false, live: null });
    await sync();
  }
}

export const useExperiments = create<ExperimentsState>()((set, get) => ({
  entries: [],
  kind: null,
  running: false,
  live: null,
  results: [],
  imported: null,
  error: null,
  loaded: false,
  async load() {
    const store = (await sweeps()).sweep(SWEEP_ID);
    const state = await store.loadQueue();
    set({ entries: state?.entries ?? [], kind: state?.kind ?? null, results: await store.loadResults(), loaded: true });
  },
  async start(kind, trials, data) {
    if (get().running) return set({ error: 'A sweep is running: pause it first.' });
    const store = (await sweeps()).sweep(SWEEP_ID);
    const saved = await store.loadQueue();
    if (saved && saved.entries.some((e) => !['done', 'does-not-fit', 'oom', 'failed', 'cancelled'].includes(e.status))) {
      return set({ error: 'The saved sweep has unfinished configurations: resume it, or clear it first.' });
    }
    await store.saveData(data);
    await store.saveResults([]);
    queue = new SweepQueue(mergeQueue(null, trials, kind), store, pageTrainEngine(), data);
    set({ kind, entries: queue.entries.map((e) => ({ ...e })), results: [] });
    await drive(queue);
  },
  async resume() {
    if (get().running) return;
    const store = (await sweeps()).sweep(SWEEP_ID);
    const [state, data] = [await store.loadQueue(), await store.loadData()];
    if (!state || !data) return set({ error: 'No saved sweep to resume.' });
    queue = new SweepQueue(state, store, pageTrainEngine(), data);
    await drive(queue);
  },
  async pause() {
    await queue?.pause();
  },
  async cancel(id) {
    if (!queue) {
      const store = (await sweeps()).sweep(SWEEP_ID);
      const [state, data] = [await store.loadQueue(), await store.loadData()];
      if (!state || !data) return;
      queue = new SweepQueue(state, store, pageTrainEngine(), data);
    }
    await queue.cancel(id);
    set({ entries: queue.entries.map((e) => ({ ...e })) });
  },
  async move(id, by) {
    if (!queue) {
      const store = (await sweeps()).sweep(SWEEP_ID);
      const [state, data] = [await store.loadQueue(), await store.loadData()];
      if (!state || !data) return;
      queue = new SweepQueue(state, store, pageTrainEngine(), data);
    }
    const index = queue.entries.findIndex((e) => e.trial.id === id);
    try {
      await queue.move(id, index + by);
    } catch (e) {
      set({ error: (e as Error).message });
    }
    set({ entries: queue.entries.map((e) => ({ ...e })) });
  },
  async clear() {
    if (get().running) return set({ error: 'Pause the sweep before clearing it.' });
    await (await sweeps()).remove(SWEEP_ID);
    queue = null;
    set({ entries: [], kind: null, results: [] });
  },
  setImported: (imported) => set({ imported }),
  setError: (error) => set({ error }),
}));
