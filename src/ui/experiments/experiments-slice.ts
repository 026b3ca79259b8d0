// The Experiments page's state: the sweep queue (persisted in IndexedDB through hosts/browser/sweep-store, run by
// the engine worker one configuration after another), its results rows, and imported SWEEP_DIR results. A reload
// finds the saved queue and resumes it (the run that was training from its latest checkpoint) unless someone paused
// it or another tab runs it; "Resume sweep" continues a paused one. Each finished configuration's exact match is
// measured as in the CLI (experiments/exact-match).
import { asEngineError } from '../engine-client';
import { create } from 'zustand';
import type { RunData, RunEvent } from '../../engine/run-api';
import { sweepExactMatch } from '../../experiments/exact-match';
import type { Trial } from '../../experiments/grid';
import { isFinal, mergeQueue, SweepQueue, type QueueEntry, type SweepState } from '../../experiments/queue';
import type { ResultRow } from '../../experiments/results';
import { lockSweep, openIdbSweeps } from '../../hosts/browser/sweep-store';
import { pageSweepEngine } from './sweep-engine';

const SWEEP_ID = 'current';
/** How long a reloaded page waits for its previous document to let go of the sweep's lock. */
const RELOAD_LOCK_WAIT_MS = 3000;
const ELSEWHERE = 'Another tab of the studio is running this sweep: pause it there (or close that tab) to change it here.';
/** How often a tab shows the queue another tab is running. */
const ELSEWHERE_POLL_MS = 2000;

export interface ExperimentsState {
  entries: QueueEntry[];
  kind: SweepState['kind'] | null;
  running: boolean;
  /**
   * Another tab of the studio runs the sweep: this one shows its saved queue (read again every few seconds) and
   * changes nothing until that tab lets go of the sweep's lock.
   */
  elsewhere: boolean;
  /** Someone paused the saved sweep: it waits for "Resume sweep", also after a reload. */
  pausedByUser: boolean;
  /** The training trial's id and its last step. */
  live: { id: string; step: number; total: number } | null;
  /** The finished run whose exact match is being measured, and how far (total 0 until the first report). */
  evaluating: { id: string; done: number; total: number } | null;
  /** What happened to the sweep without a click: resumed after a reload, or why not; an exact match not measured. */
  notice: string | null;
  results: ResultRow[];
  imported: { name: string; rows: ResultRow[] } | null;
  error: string | null;
  loaded: boolean;
  /** Read the saved sweep (once per page) and resume it when it was cut off by a reload. */
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
/** "Pause sweep" pressed while the queue was still being set up: it is saved paused instead of run. */
let pauseAsked = false;
let loading: Promise<void> | null = null;

let db: ReturnType<typeof openIdbSweeps> | null = null;
const sweeps = () => (db ??= openIdbSweeps());
const sweepStore = async () => (await sweeps()).sweep(SWEEP_ID);

/** Run the queue under the sweep's lock (taken by the caller), keeping the page's state in step with it. */
async function drive(q: SweepQueue, data: RunData, release: () => void): Promise<void> {
  const set = useExperiments.setState;
  const sync = async () => {
    const store = await sweepStore();
    set({ entries: q.entries.map((e) => ({ ...e })), pausedByUser: q.state.pausedByUser === true, results: await store.loadResults() });
  };
  const engine = pageSweepEngine();
  const measure = sweepExactMatch(engine, data, {
    onProgress: (id, p) => set({ evaluating: { id, done: p.done, total: p.total } }),
    onError: (id, e) => set({ notice: `Exact match of ${id} was not measured (${asEngineError(e).message}); it is tried again when the next configuration finishes.` }),
  });
  const exactMatch = async (id: string) => {
    set({ evaluating: { id, done: 0, total: 0 } });
    try {
      return await measure(id);
    } finally {
      set({ evaluating: null });
    }
  };
  set({ running: true, pausedByUser: false, error: null });
  try {
    if (pauseAsked) {
      pauseAsked = false;
      return await q.pause();
    }
    await q.run({
      exactMatch,
      onEvent: (trial, e: RunEvent) => {
        if (e.type === 'plan') {
          set({ live: { id: trial.id, step: 0, total: e.plan.totalSteps }, entries: q.entries.map((x) => ({ ...x })) });
          // A resumed run goes on from its latest checkpoint: the bar starts there, not at 0.
          void engine.getRun(trial.id).then((r) => {
            const from = r?.checkpoints.latest?.step ?? 0;
            set((s) => (s.live?.id === trial.id && s.live.step < from ? { live: { ...s.live, step: from } } : {}));
          }, () => undefined);
        }
        else if (e.type === 'metrics' && e.row.kind === 'train') set((s) => ({ live: s.live && { ...s.live, step: e.row.step } }));
      },
      onEntry: () => void sync(),
    });
  } catch (e) {
    set({ error: asEngineError(e).message });
  } finally {
    release();
    set({ running: false, live: null, evaluating: null });
    await sync();
  }
}

/** Take the sweep's lock for this tab, or (another tab runs it) follow that tab's queue until it lets go. */
async function claim(waitMs = 0): Promise<(() => void) | null> {
  const release = await lockSweep(SWEEP_ID, waitMs);
  if (!release) {
    useExperiments.setState({ running: false });
    void followElsewhere();
  }
  return release;
}

let following = false;

/**
 * While another tab runs the sweep: show the queue it saves, every ELSEWHERE_POLL_MS, until its lock is free (that
 * tab paused, finished or closed); then this tab may resume, reorder or clear it.
 */
async function followElsewhere(): Promise<void> {
  if (following) return;
  following = true;
  useExperiments.setState({ elsewhere: true });
  try {
    for (;;) {
      await readSaved();
      await new Promise((r) => setTimeout(r, ELSEWHERE_POLL_MS));
      const release = await lockSweep(SWEEP_ID);
      if (release) {
        release();
        break;
      }
    }
    await readSaved();
  } finally {
    following = false;
    queue = null;
    useExperiments.setState({ elsewhere: false });
  }
}

/** The saved queue and results into the page's state; the saved queue itself when there is one. */
async function readSaved(): Promise<SweepState | null> {
  const store = await sweepStore();
  const state = await store.loadQueue();
  useExperiments.setState({ entries: state?.entries ?? [], kind: state?.kind ?? null, pausedByUser: state?.pausedByUser === true, results: await store.loadResults() });
  return state;
}

/** After a reload: continue the saved sweep where it stopped, unless another tab is training its current run. */
async function resumeAfterReload(state: SweepState, data: RunData): Promise<void> {
  const set = useExperiments.setState;
  if (useExperiments.getState().running) return;
  set({ running: true });
  queue = null;
  pauseAsked = false;
  const index = state.entries.findIndex((e) => !isFinal(e.status));
  const entry = state.entries[index];
  const where = `configuration ${index + 1} of ${state.entries.length}`;
  const engine = pageSweepEngine();
  const record = await engine.getRun(entry.trial.id).catch(() => null);
  if (record?.elsewhere) {
    set({ running: false });
    void followElsewhere();
    return;
  }
  const release = await claim(RELOAD_LOCK_WAIT_MS);
  if (!release) return;
  set({ notice: `Resumed the sweep after reload: ${where}, from step ${record?.checkpoints.latest?.step ?? 0}` });
  queue = new SweepQueue(state, await sweepStore(), engine, data);
  await drive(queue, data, release);
}

async function loadSaved(): Promise<void> {
  const state = await readSaved();
  useExperiments.setState({ loaded: true });
  if (!state || state.pausedByUser || !state.entries.some((e) => !isFinal(e.status))) return;
  const data = await (await sweepStore()).loadData();
  if (data) void resumeAfterReload(state, data).catch((e) => useExperiments.setState({ running: false, error: asEngineError(e).message }));
}

/** The saved queue as a SweepQueue this page can reorder or cancel in (when it is not running here). */
async function savedQueue(): Promise<SweepQueue | null> {
  if (queue) return queue;
  // A sweep being set up in this tab: its queue is about to exist, not to be read from the store. One running in
  // another tab: that tab's queue is the one that changes.
  if (useExperiments.getState().running || useExperiments.getState().elsewhere) return null;
  const store = await sweepStore();
  const [state, data] = [await store.loadQueue(), await store.loadData()];
  if (!state || !data) return null;
  return (queue = new SweepQueue(state, store, pageSweepEngine(), data));
}

export const useExperiments = create<ExperimentsState>()((set, get) => ({
  entries: [],
  kind: null,
  running: false,
  elsewhere: false,
  pausedByUser: false,
  live: null,
  evaluating: null,
  notice: null,
  results: [],
  imported: null,
  error: null,
  loaded: false,
  load() {
    loading ??= loadSaved().catch((e) => {
      loading = null;
      throw e;
    });
    return loading;
  },
  async start(kind, trials, data) {
    if (get().running) return set({ error: 'A sweep is running: pause it first.' });
    if (get().elsewhere) return set({ error: ELSEWHERE });
    set({ running: true, notice: null });
    queue = null;
    pauseAsked = false;
    const store = await sweepStore();
    const saved = await store.loadQueue();
    if (saved && saved.entries.some((e) => !isFinal(e.status))) {
      return set({ running: false, error: 'The saved sweep has unfinished configurations: resume it, or clear it first.' });
    }
    const release = await claim();
    if (!release) return;
    await store.saveData(data);
    await store.saveResults([]);
    queue = new SweepQueue(mergeQueue(null, trials, kind), store, pageSweepEngine(), data);
    set({ kind, entries: queue.entries.map((e) => ({ ...e })), results: [] });
    await drive(queue, data, release);
  },
  async resume() {
    if (get().running) return;
    if (get().elsewhere) return set({ error: ELSEWHERE });
    set({ running: true, notice: null });
    queue = null;
    pauseAsked = false;
    const store = await sweepStore();
    const [state, data] = [await store.loadQueue(), await store.loadData()];
    if (!state || !data) return set({ running: false, error: 'No saved sweep to resume.' });
    const release = await claim();
    if (!release) return;
    queue = new SweepQueue(state, store, pageSweepEngine(), data);
    await drive(queue, data, release);
  },
  async pause() {
    if (!get().running) return;
    set({ pausedByUser: true });
    if (queue) await queue.pause();
    else pauseAsked = true;
  },
  async cancel(id) {
    const q = await savedQueue();
    if (!q) return;
    await q.cancel(id);
    set({ entries: q.entries.map((e) => ({ ...e })) });
  },
  async move(id, by) {
    const q = await savedQueue();
    if (!q) return;
    const index = q.entries.findIndex((e) => e.trial.id === id);
    try {
      await q.move(id, index + by);
    } catch (e) {
      set({ error: asEngineError(e).message });
    }
    set({ entries: q.entries.map((e) => ({ ...e })) });
  },
  async clear() {
    if (get().running) return set({ error: 'Pause the sweep before clearing it.' });
    if (get().elsewhere) return set({ error: ELSEWHERE });
    await (await sweeps()).remove(SWEEP_ID);
    queue = null;
    set({ entries: [], kind: null, results: [], notice: null, pausedByUser: false });
  },
  setImported: (imported) => set({ imported }),
  setError: (error) => set({ error }),
}));
