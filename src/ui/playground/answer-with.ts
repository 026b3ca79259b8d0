// "Answer with": what the Playground and its Evaluate panel ask, shared by both: the loaded model, a run's best or
// latest checkpoint, or an imported PEFT adapter (on the loaded model as its base). Runs come from the engine,
// adapters from IndexedDB; the adapter's files are read only when it is asked.
import { create } from 'zustand';
import type { AnswerWith } from '../../engine/api';
import type { RunRecord } from '../../engine/run-api';
import { getAdapter, listAdapters, type StoredAdapter } from '../../hosts/browser/idb-adapter-store';
import { engineCall, engineClient } from '../engine-client';

export type AnswerChoice =
  | { key: 'loaded'; label: string; kind: 'loaded' }
  | { key: string; label: string; kind: 'run'; runId: string; checkpoint: 'best' | 'latest' }
  | { key: string; label: string; kind: 'adapter'; id: string; name: string };

export interface AnswerWithState {
  choices: AnswerChoice[];
  key: string;
  error: string | null;
  refresh(): Promise<void>;
  choose(key: string): void;
  chosen(): AnswerChoice;
  /** What the engine is asked to answer with (the adapter's files read from IndexedDB now). */
  request(): Promise<AnswerWith | undefined>;
}

const LOADED: AnswerChoice = { key: 'loaded', label: 'The loaded model', kind: 'loaded' };

export function answerChoices(runs: readonly RunRecord[], adapters: readonly Pick<StoredAdapter, 'id' | 'label' | 'base'>[]): AnswerChoice[] {
  const out: AnswerChoice[] = [LOADED];
  for (const run of runs) {
    for (const checkpoint of ['best', 'latest'] as const) {
      const info = run.checkpoints[checkpoint];
      if (info) out.push({ key: `run:${run.id}:${checkpoint}`, label: `Run “${run.name}”, ${checkpoint} checkpoint (step ${info.step})`, kind: 'run', runId: run.id, checkpoint });
    }
  }
  for (const a of adapters) out.push({ key: `adapter:${a.id}`, label: `Imported adapter ${a.label}${a.base ? ` (base ${a.base})` : ''}, on the loaded model`, kind: 'adapter', id: a.id, name: a.label });
  return out;
}

export const useAnswerWith = create<AnswerWithState>()((set, get) => ({
  choices: [LOADED],
  key: 'loaded',
  error: null,

  async refresh() {
    try {
      const [runs, adapters] = await Promise.all([engineCall(engineClient().listRuns()), typeof indexedDB === 'undefined' ? [] : listAdapters()]);
      const choices = answerChoices(runs, adapters);
      set({ choices, key: choices.some((c) => c.key === get().key) ? get().key : 'loaded', error: null });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    }
  },

  choose(key) {
    set({ key });
  },

  chosen() {
    return get().choices.find((c) => c.key === get().key) ?? LOADED;
  },

  async request() {
    const c = get().chosen();
    if (c.kind === 'loaded') return undefined;
    if (c.kind === 'run') return { kind: 'run', runId: c.runId, checkpoint: c.checkpoint };
    const adapter = await getAdapter(c.id);
    if (!adapter) throw new Error(`the imported adapter ${c.name} is gone from this browser's storage: import it again on the Export page`);
    return { kind: 'adapter', id: adapter.id, label: adapter.label, files: adapter.files };
  },
}));
