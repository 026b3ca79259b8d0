// The Train page state: the settings being edited, the plan of the run they describe, the run training now (its
// live status and metrics, fed in batches per animation frame), every stored run, the two runs being compared, the
// last error with its kind, and the browser's storage figures. Its own zustand store like the Models and Datasets
// pages'; the engine comes in as a dependency, so the same slice runs against the comlink worker or an in-thread one.
import { create } from 'zustand';
import type { MetricRow, RunEvent, RunPlan, RunRecord, RunSpec, RunStatus, StepMetrics } from '../../engine/run-api';
import type { ModelSource } from '../../engine/api';
import type { EngineErrorKind } from '../../engine/run-api';
import { RUN_DEFAULTS, type RunConfig } from '../../settings/run-config';
import { asEngineError } from '../engine-client';
import { frameBatcher } from './frame-batcher';
import type { TrainEngine } from './run-client';

export type LiveStatus = RunStatus | 'planning' | 'starting' | 'tuning' | 'evaluating' | 'saving';

export interface TrainError {
  kind: EngineErrorKind;
  message: string;
  runId: string | null;
}

export interface StorageFigures {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

export interface TrainDeps {
  engine(): TrainEngine;
  /** Where the form's settings are kept between visits (localStorage in the page). */
  settings?: { load(): RunConfig | null; save(config: RunConfig): void };
  /** navigator.storage, when the browser has it. */
  storage(): Pick<StorageManager, 'estimate' | 'persist' | 'persisted'> | null;
}

export interface TrainState {
  config: RunConfig;
  plan: RunPlan | null;
  /** The run training in this engine, and what it is doing. */
  activeRunId: string | null;
  liveStatus: LiveStatus | null;
  liveMessage: string | null;
  runs: RunRecord[];
  runsLoaded: boolean;
  /** Metric rows by run id, for the runs whose charts are shown (and the active one). */
  metrics: Record<string, MetricRow[]>;
  /** The last optimizer step of the active run (for its progress bar). */
  lastStep: StepMetrics | null;
  /** The run whose details and charts are open in the runs list. */
  shownRunId: string | null;
  compare: string[];
  error: TrainError | null;
  info: string | null;
  storage: StorageFigures | null;
}

export interface TrainActions {
  /** Read the stored runs and ask the engine whether one is training (after a reload none is). */
  init(): Promise<void>;
  setConfig(patch: Partial<RunConfig>): void;
  setLora(patch: Partial<RunConfig['lora']>): void;
  resetConfig(config: RunConfig): void;
  /** Ask the engine what this spec would do (counts, memory, steps); nothing trains. */
  planRun(spec: RunSpec): Promise<RunPlan | null>;
  /** Plan, refuse a run that will not fit, else start it; settles when the run stops. */
  startRun(spec: RunSpec): Promise<void>;
  /** Continue a paused or interrupted run; `model` when its folder has to be read again on this page. */
  resumeRun(runId: string, model?: ModelSource): Promise<void>;
  pauseRun(): Promise<void>;
  cancelRun(): Promise<void>;
  refreshRuns(): Promise<void>;
  showRun(runId: string | null): Promise<void>;
  toggleCompare(runId: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  refreshStorage(): Promise<void>;
  requestPersistence(): Promise<void>;
  setError(error: TrainError | null): void;
}

export type TrainSlice = TrainState & TrainActions;

const cloneConfig = (c: RunConfig): RunConfig => ({ ...c, lora: { ...c.lora, targets: [...c.lora.targets] } });

export function createTrainStore(deps: TrainDeps) {
  return create<TrainSlice>()((set, get) => {
    const upsertRun = (record: RunRecord) =>
      set((s) => ({ runs: s.runs.some((r) => r.id === record.id) ? s.runs.map((r) => (r.id === record.id ? record : r)) : [record, ...s.runs] }));

    const loadMetrics = async (runId: string) => {
      if (get().metrics[runId] && get().activeRunId === runId) return;
      const rows = await deps.engine().runMetrics(runId);
      set((s) => ({ metrics: { ...s.metrics, [runId]: rows } }));
    };

    const fail = (e: unknown, runId: string | null) => {
      const err = asEngineError(e);
      set({ error: { kind: err.kind, message: err.message, runId } });
    };

    /** Runs one start or resume: events batched per frame into the store, the final record stored at the end. */
    const drive = async (begin: (onEvent: (e: RunEvent) => void) => Promise<RunRecord>, knownRunId: string | null) => {
      const batcher = frameBatcher<MetricRow & { runId: string }>((items) => {
        set((s) => {
          const metrics = { ...s.metrics };
          let lastStep = s.lastStep;
          for (const { runId, ...row } of items) {
            metrics[runId] = [...(metrics[runId] ?? []), row as MetricRow];
            if (row.kind === 'train') lastStep = row as StepMetrics;
          }
          return { metrics, lastStep };
        });
      });
      // Events come through their own comlink port, so the last ones can arrive after the call has settled: those
      // must not make the finished run active again (its metrics are in the store already, read back below).
      let settled = false;
      const onEvent = (e: RunEvent) => {
        if (settled) return;
        if (e.type === 'metrics') {
          batcher.push({ ...e.row, runId: e.runId });
          return;
        }
        if (get().activeRunId !== e.runId) set((s) => ({ activeRunId: e.runId, shownRunId: e.runId, metrics: s.metrics[e.runId] ? s.metrics : { ...s.metrics, [e.runId]: [] } }));
        // The record appears once the engine has stored it: fetch it on the first event that finds it missing.
        if (!get().runs.some((r) => r.id === e.runId)) void deps.engine().getRun(e.runId).then((r) => r && upsertRun(r)).catch(() => undefined);
        // A run's own plan lives on its record (RunView shows it); the form's plan stays the form's.
        if (e.type === 'status') set({ liveStatus: e.status, liveMessage: e.message ?? null });
        else if (e.type === 'checkpoint') void deps.engine().getRun(e.runId).then((r) => r && upsertRun(r));
      };
      set({ error: null, info: null, liveStatus: 'starting', liveMessage: null, lastStep: null, activeRunId: knownRunId });
      let runId = knownRunId;
      try {
        const record = await begin(onEvent);
        settled = true;
        runId = record.id;
        batcher.flush();
        upsertRun(record);
        if (record.error) set({ error: { kind: record.error.kind, message: record.error.message, runId: record.id } });
        else set({ info: `Run "${record.name}" ${record.status === 'done' ? 'finished' : record.status} at step ${record.step} of ${record.totalSteps}.` });
      } catch (e) {
        settled = true;
        batcher.flush();
        fail(e, get().activeRunId ?? runId);
      } finally {
        set({ activeRunId: null, liveStatus: null, liveMessage: null });
        await get().refreshRuns();
        // Metric rows still in flight when the call settled: the stored ones are the whole curve.
        if (runId) await deps.engine().runMetrics(runId).then((rows) => set((s) => ({ metrics: { ...s.metrics, [runId as string]: rows } }))).catch(() => undefined);
        void get().refreshStorage();
      }
    };

    return {
      config: cloneConfig(deps.settings?.load() ?? RUN_DEFAULTS),
      plan: null,
      activeRunId: null,
      liveStatus: null,
      liveMessage: null,
      runs: [],
      runsLoaded: false,
      metrics: {},
      lastStep: null,
      shownRunId: null,
      compare: [],
      error: null,
      info: null,
      storage: null,

      async init() {
        await get().refreshRuns();
        const active = await deps.engine().activeRun().catch(() => null);
        if (active && !get().activeRunId) set({ activeRunId: active, shownRunId: active });
        if (!get().shownRunId && get().runs.length > 0) await get().showRun(get().runs[0].id);
        void get().refreshStorage();
      },

      setConfig(patch) {
        set((s) => ({ config: { ...s.config, ...patch }, plan: null }));
        deps.settings?.save(get().config);
      },
      setLora(patch) {
        set((s) => ({ config: { ...s.config, lora: { ...s.config.lora, ...patch } }, plan: null }));
        deps.settings?.save(get().config);
      },
      resetConfig(config) {
        set({ config: cloneConfig(config), plan: null });
        deps.settings?.save(get().config);
      },

      async planRun(spec) {
        set({ liveStatus: get().activeRunId ? get().liveStatus : 'planning', error: null, info: null });
        try {
          const plan = await deps.engine().planRun(spec);
          set({ plan });
          return plan;
        } catch (e) {
          fail(e, null);
          return null;
        } finally {
          if (!get().activeRunId) set({ liveStatus: null });
        }
      },

      async startRun(spec) {
        if (get().activeRunId || get().liveStatus === 'starting') return;
        const plan = await get().planRun(spec);
        if (!plan) return;
        if (!plan.memory.fits) {
          set({ error: { kind: 'out-of-memory', message: `This run will not fit: ${plan.memory.reason ?? 'the estimate is above the device limits'}.`, runId: null } });
          return;
        }
        await drive((onEvent) => deps.engine().startRun(spec, onEvent), null);
      },

      async resumeRun(runId, model) {
        if (get().activeRunId) return;
        set((s) => ({ shownRunId: runId, metrics: { ...s.metrics, [runId]: s.metrics[runId] ?? [] } }));
        // Metrics so far first, so the curves continue where they stopped.
        await loadMetrics(runId).catch(() => undefined);
        await drive((onEvent) => deps.engine().resumeRun(runId, onEvent, model ? { model } : undefined), runId);
      },

      async pauseRun() {
        const runId = get().activeRunId;
        if (!runId) return;
        set({ liveMessage: 'Pausing at the next step boundary (saving a checkpoint)…' });
        await deps.engine().pauseRun(runId).catch((e: unknown) => fail(e, runId));
      },

      async cancelRun() {
        const runId = get().activeRunId;
        if (!runId) return;
        set({ liveMessage: 'Cancelling at the next step boundary…' });
        await deps.engine().cancelRun(runId).catch((e: unknown) => fail(e, runId));
      },

      async refreshRuns() {
        try {
          const runs = await deps.engine().listRuns();
          set({ runs: [...runs].sort((a, b) => b.createdAt - a.createdAt), runsLoaded: true });
        } catch (e) {
          set({ runsLoaded: true });
          fail(e, null);
        }
      },

      async showRun(runId) {
        set({ shownRunId: runId });
        if (runId) await loadMetrics(runId).catch((e: unknown) => fail(e, runId));
      },

      async toggleCompare(runId) {
        const compare = get().compare.includes(runId) ? get().compare.filter((id) => id !== runId) : [...get().compare, runId].slice(-2);
        set({ compare });
        await Promise.all(compare.map((id) => loadMetrics(id).catch((e: unknown) => fail(e, id))));
      },

      async deleteRun(runId) {
        if (get().activeRunId === runId) {
          set({ error: { kind: 'busy', message: 'This run is training: pause or cancel it before deleting it.', runId } });
          return;
        }
        try {
          await deps.engine().deleteRun(runId);
          set((s) => {
            const metrics = { ...s.metrics };
            delete metrics[runId];
            return { metrics, compare: s.compare.filter((id) => id !== runId), shownRunId: s.shownRunId === runId ? null : s.shownRunId, info: 'Run deleted with its checkpoints and metrics.' };
          });
        } catch (e) {
          fail(e, runId);
        }
        await get().refreshRuns();
        void get().refreshStorage();
      },

      async refreshStorage() {
        const storage = deps.storage();
        if (!storage) {
          set({ storage: { usage: null, quota: null, persisted: null } });
          return;
        }
        const [estimate, persisted] = await Promise.all([storage.estimate().catch(() => ({}) as StorageEstimate), storage.persisted().catch(() => null)]);
        set({ storage: { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted } });
      },

      async requestPersistence() {
        const storage = deps.storage();
        if (!storage) return;
        const granted = await storage.persist().catch(() => false);
        set({
          info: granted
            ? 'Storage is persistent: the browser will not evict runs and datasets to free space.'
            : 'The browser declined persistent storage (it decides from how the site is used; bookmarking or installing it helps). Runs stay stored unless space runs out.',
        });
        await get().refreshStorage();
      },

      setError(error) {
        set({ error });
      },
    };
  });
}

export type TrainStore = ReturnType<typeof createTrainStore>;
