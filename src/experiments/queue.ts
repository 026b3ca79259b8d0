// A persistent sweep queue: trials run one after another through the engine's RunApi, and the queue's state is saved
// to a SweepStore after every change, so an interrupted sweep resumes with the same command (or a page reload): done
// and skipped trials stay done, the trial that was training resumes from its latest checkpoint, the rest start.
// As in the paper, a trial whose memory plan does not fit is skipped before it starts ('does-not-fit', with its
// estimate), and an out-of-memory failure during a run is recorded ('oom') and the queue moves on.
import type { RunApi, RunData, RunEvent, RunMemoryPlan, RunRecord } from '../engine/run-api';
import type { Trial } from './grid';
import { resultRow, type ResultRow, type TrialStatus } from './results';

export type EntryStatus = 'pending' | 'running' | 'paused' | TrialStatus;

export interface QueueEntry {
  trial: Trial;
  status: EntryStatus;
  /** The memory plan when it did not fit (estimate by category, the device's limits, why). */
  memory?: RunMemoryPlan;
  /** Why a trial failed or ran out of memory. */
  error?: string;
}

export interface SweepState {
  version: 1;
  /** What the sweep is: 'sweep' or 'ablation' (reports pick their tables by it). */
  kind: 'sweep' | 'ablation';
  entries: QueueEntry[];
  /**
   * Someone paused it (the Pause button, Ctrl-C, its run paused on the Train page): the studio leaves it paused after a
   * reload instead of resuming it. Cleared when it runs again.
   */
  pausedByUser?: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Where a sweep keeps its queue and results: a SWEEP_DIR in Node, IndexedDB in the browser. */
export interface SweepStore {
  loadQueue(): Promise<SweepState | null>;
  saveQueue(state: SweepState): Promise<void>;
  /** results.json + results.csv (or their browser equivalent). */
  saveResults(rows: ResultRow[]): Promise<void>;
}

/** The engine methods a sweep uses. */
export type SweepRunApi = Pick<RunApi, 'planRun' | 'startRun' | 'resumeRun' | 'pauseRun' | 'cancelRun' | 'getRun' | 'runMetrics'>;

export interface QueueHooks {
  onEvent?: (trial: Trial, e: RunEvent) => void;
  /** A trial's outcome, as it is recorded. */
  onEntry?: (entry: QueueEntry, index: number, total: number) => void;
  /** Exact match of a finished run's generations, when an evaluation exists (else null). */
  exactMatch?: (runId: string) => Promise<number | null>;
}

const FINAL: readonly EntryStatus[] = ['done', 'does-not-fit', 'oom', 'failed', 'cancelled'];
export const isFinal = (s: EntryStatus) => FINAL.includes(s);

/** A fresh state for these trials, or the saved one merged with them: saved entries keep their status. */
export function mergeQueue(saved: SweepState | null, trials: Trial[], kind: SweepState['kind'], now = Date.now()): SweepState {
  const ids = trials.map((t) => t.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`two trials share the id ${dup}`);
  if (!saved) return { version: 1, kind, entries: trials.map((trial) => ({ trial, status: 'pending' })), createdAt: now, updatedAt: now };
  if (saved.version !== 1 || !Array.isArray(saved.entries)) throw new Error('the saved sweep queue is not a version 1 queue');
  const known = new Set(saved.entries.map((e) => e.trial.id));
  const added = trials.filter((t) => !known.has(t.id)).map((trial): QueueEntry => ({ trial, status: 'pending' }));
  return { ...saved, entries: [...saved.entries, ...added], updatedAt: now };
}

/** What the engine's error says happened, as data (never matched by message text). */
function statusOfError(e: unknown): { status: TrialStatus; message: string } {
  const kind = (e as { kind?: string } | null)?.kind;
  const message = e instanceof Error ? e.message : String((e as { message?: string })?.message ?? e);
  if (kind === 'out-of-memory') return { status: 'oom', message };
  if (kind === 'cancelled') return { status: 'cancelled', message };
  return { status: 'failed', message };
}

export class SweepQueue {
  private stopping: 'pause' | null = null;
  private current: string | null = null;
  private running = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(readonly state: SweepState, private readonly store: SweepStore, private readonly api: SweepRunApi, private readonly data: RunData) {}

  get entries(): readonly QueueEntry[] {
    return this.state.entries;
  }

  /** The running trial's id, if any. */
  get active(): string | null {
    return this.current;
  }

  /** Stop after the current run pauses at its next step (it resumes from its checkpoint on the next run()). */
  async pause(): Promise<void> {
    this.stopping = 'pause';
    this.state.pausedByUser = true;
    const pausing = this.current ? this.api.pauseRun(this.current) : null;
    // Saved at once, so a reload before the run reaches its step boundary still finds the sweep paused.
    await this.save();
    await pausing;
  }

  /** Cancel one trial: a pending one is marked cancelled, the running one stops at its next step. */
  async cancel(id: string): Promise<void> {
    const entry = this.find(id);
    if (isFinal(entry.status)) return;
    if (this.current === id) {
      await this.api.cancelRun(id);
      return;
    }
    entry.status = 'cancelled';
    await this.save();
  }

  /** Move a waiting trial to a new place among the entries (0 = first). */
  async move(id: string, index: number): Promise<void> {
    const from = this.state.entries.findIndex((e) => e.trial.id === id);
    if (from < 0) throw new Error(`no trial ${id} in this sweep`);
    if (this.state.entries[from].status !== 'pending') throw new Error(`trial ${id} is ${this.state.entries[from].status}; only waiting trials move`);
    const [entry] = this.state.entries.splice(from, 1);
    this.state.entries.splice(Math.max(0, Math.min(index, this.state.entries.length)), 0, entry);
    await this.save();
  }

  /**
   * Run every unfinished trial in order. Settles when all are final ('done') or when paused ('paused'). A trial
   * left 'running' or 'paused' by an earlier session resumes from its run's latest checkpoint.
   */
  async run(hooks: QueueHooks = {}): Promise<'done' | 'paused'> {
    if (this.running) throw new Error('this sweep is already running');
    this.running = true;
    this.stopping = null;
    this.state.pausedByUser = false;
    try {
      await this.save();
      await this.store.saveResults(await this.results(hooks.exactMatch));
      for (;;) {
        if (this.stopping) return 'paused';
        const index = this.state.entries.findIndex((e) => !isFinal(e.status));
        if (index < 0) return 'done';
        const entry = this.state.entries[index];
        await this.runEntry(entry, hooks);
        await this.store.saveResults(await this.results(hooks.exactMatch));
        if (entry.status !== 'pending') hooks.onEntry?.(entry, index, this.state.entries.length);
        if (entry.status === 'paused') return 'paused';
      }
    } finally {
      this.current = null;
      this.running = false;
    }
  }

  private async runEntry(entry: QueueEntry, hooks: QueueHooks): Promise<void> {
    const { trial } = entry;
    const events = (e: RunEvent) => hooks.onEvent?.(trial, e);
    let record: RunRecord | null = await this.api.getRun(trial.id);
    try {
      if (record && record.status === 'done') {
        entry.status = 'done';
      } else if (record && record.status !== 'cancelled' && record.status !== 'failed') {
        // An earlier session's run: continue it from its latest checkpoint.
        this.current = trial.id;
        entry.status = 'running';
        await this.save();
        record = await this.api.resumeRun(trial.id, events);
      } else if (record) {
        entry.status = record.error?.kind === 'out-of-memory' ? 'oom' : record.status === 'cancelled' ? 'cancelled' : 'failed';
        entry.error = record.error?.message;
      } else {
        const spec = { id: trial.id, config: trial.config, model: trial.source, data: this.data };
        const plan = await this.api.planRun(spec);
        if (!plan.memory.fits) {
          entry.status = 'does-not-fit';
          entry.memory = plan.memory;
        } else if (this.stopping) {
          // Paused while it was being planned: it starts when the sweep runs again.
        } else {
          this.current = trial.id;
          entry.status = 'running';
          await this.save();
          record = await this.api.startRun(spec, events);
        }
      }
      if (record && entry.status === 'running') {
        // A run paused from outside the queue (the Train page, Ctrl-C) pauses the queue too.
        const ends: Record<string, EntryStatus> = { done: 'done', cancelled: 'cancelled', failed: 'failed' };
        entry.status = ends[record.status] ?? 'paused';
        if (record.status === 'paused') this.state.pausedByUser = true;
      }
    } catch (e) {
      const { status, message } = statusOfError(e);
      entry.status = status;
      entry.error = message;
      record = await this.api.getRun(trial.id).catch(() => null);
    } finally {
      this.current = null;
    }
    await this.save();
  }

  /** The results rows of the finished trials, in queue order. */
  async results(exactMatch?: (runId: string) => Promise<number | null>): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    for (const e of this.state.entries) {
      if (!isFinal(e.status)) continue;
      const record = e.status === 'does-not-fit' ? null : await this.api.getRun(e.trial.id).catch(() => null);
      const metrics = record ? await this.api.runMetrics(e.trial.id).catch(() => []) : [];
      const em = record && e.status === 'done' && exactMatch ? await exactMatch(e.trial.id) : null;
      rows.push(resultRow(e.trial, e.status as TrialStatus, record, metrics, em));
    }
    return rows;
  }

  private find(id: string): QueueEntry {
    const entry = this.state.entries.find((e) => e.trial.id === id);
    if (!entry) throw new Error(`no trial ${id} in this sweep`);
    return entry;
  }

  /** Saves one at a time, in order: a pause's save never lands after a later one (the file would go back in time). */
  private save(): Promise<void> {
    const next = this.saving.then(() => {
      this.state.updatedAt = Date.now();
      return this.store.saveQueue(this.state);
    });
    this.saving = next.catch(() => undefined);
    return next;
  }
}
