// The Playground's evaluation panel: pick a dataset, evaluate the loaded model on (the first N rows of) its eval
// split by generating labels and rationales, watch progress, cancel, and read the metrics and each sample.
import { asEngineError } from '../engine-client';
import { create } from 'zustand';
import type { AnswerWith, EngineApi, GenerationEvalProgress, GenerationEvalReport } from '../../engine/api';
import type { DatasetMeta } from '../../data/records';
import type { DatasetStore } from '../../data/store/types';

export type EvalEngine = Pick<EngineApi, 'evaluateGeneration' | 'cancelGenerationEval'>;

export interface EvalPanelState {
  datasets: DatasetMeta[];
  datasetId: string | null;
  /** Evaluate only the first N eval rows (0 = all). */
  limit: number;
  maxNewTokens: number;
  numBeams: number;
  constrained: boolean;
  rationales: boolean;
  running: { evalId: string; progress: GenerationEvalProgress | null; cancelling: boolean } | null;
  report: (GenerationEvalReport & { dataset: string; evalRows: number; runId: string | null }) | null;
  error: string | null;
}

export interface EvalPanelActions {
  refresh(): Promise<void>;
  set(patch: Partial<Pick<EvalPanelState, 'datasetId' | 'limit' | 'maxNewTokens' | 'numBeams' | 'constrained' | 'rationales'>>): void;
  run(): Promise<void>;
  cancel(): Promise<void>;
}

export interface EvalPanelDeps {
  engine: () => EvalEngine;
  datasets: () => Promise<DatasetStore>;
  /** What answers ("Answer with"); undefined = the loaded model. A run checkpoint's result is kept with the run. */
  answerWith?: () => Promise<AnswerWith | undefined>;
}

const kindOf = (e: unknown) => (typeof e === 'object' && e && 'kind' in e ? String((e as { kind: unknown }).kind) : null);
let counter = 0;

export function createEvalPanelStore(deps: EvalPanelDeps) {
  return create<EvalPanelState & EvalPanelActions>()((set, get) => ({
    datasets: [],
    datasetId: null,
    limit: 20,
    maxNewTokens: 128,
    numBeams: 1,
    constrained: false,
    rationales: true,
    running: null,
    report: null,
    error: null,

    async refresh() {
      try {
        const datasets = await (await deps.datasets()).listDatasets();
        const keep = datasets.some((d) => d.id === get().datasetId);
        set({ datasets, datasetId: keep ? get().datasetId : (datasets[0]?.id ?? null) });
      } catch (e) {
        set({ error: asEngineError(e).message });
      }
    },

    set(patch) {
      set(patch);
    },

    async run() {
      const { datasetId, datasets, limit, maxNewTokens, numBeams, constrained, rationales } = get();
      if (get().running) return;
      const meta = datasets.find((d) => d.id === datasetId);
      if (!meta) {
        set({ error: 'Pick a dataset first.' });
        return;
      }
      const evalId = `eval-${Date.now()}-${++counter}`;
      set({ running: { evalId, progress: null, cancelling: false }, error: null });
      try {
        const store = await deps.datasets();
        const all = (await store.listRows(meta.id, { split: 'eval' })).filter((r) => r.status !== 'rejected');
        const rows = (limit > 0 ? all.slice(0, limit) : all).map((r) => ({ id: r.id, question: r.question, label: r.label, rationale: r.rationale }));
        if (rows.length === 0) throw new Error(`${meta.name} has no eval rows (not rejected) to evaluate`);
        const answerWith = await deps.answerWith?.();
        const report = await deps.engine().evaluateGeneration(
          {
            evalId, rows, options: { maxNewTokens, numBeams, constrained, rationales, schema: meta.task.schema },
            dataset: { name: meta.name, evalRows: all.length }, ...(answerWith ? { answerWith } : {}),
          },
          (p) => {
            const r = get().running;
            if (r && r.evalId === p.evalId) set({ running: { ...r, progress: p } });
          },
        );
        set({ report: { ...report, dataset: meta.name, evalRows: all.length, runId: answerWith?.kind === 'run' ? answerWith.runId : null } });
      } catch (e) {
        set({ error: kindOf(e) === 'cancelled' ? 'Evaluation cancelled.' : asEngineError(e).message });
      } finally {
        set({ running: null });
      }
    },

    async cancel() {
      const r = get().running;
      if (!r) return;
      set({ running: { ...r, cancelling: true } });
      await deps.engine().cancelGenerationEval(r.evalId);
    },
  }));
}
