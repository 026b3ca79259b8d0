// The Playground's store: the question, decoding settings, the streamed answer of the running generation, and the
// session's history. "Generate" asks for the label ("predict: "), "Explain" for the rationale ("explain: "); the
// JSON switch applies to labels. The engine comes in as a dependency (comlink in the page, the engine in tests).
import { asEngineError } from '../engine-client';
import { create } from 'zustand';
import type { AnswerWith, EngineApi, ModelSummary, StreamResult } from '../../engine/api';

export type PlaygroundEngine = Pick<EngineApi, 'generateStream' | 'stopGeneration' | 'loadedModel'>;

export type Task = 'label' | 'rationale';

export const TASK_PREFIX: Record<Task, string> = { label: 'predict: ', rationale: 'explain: ' };

export interface HistoryEntry {
  at: number;
  question: string;
  task: Task;
  text: string;
  jsonConstrained: boolean;
  numBeams: number;
  tokens: number;
  millis: number;
  stopped: boolean;
  finished: boolean;
}

export interface PlaygroundState {
  loaded: ModelSummary | null;
  question: string;
  maxNewTokens: number;
  numBeams: number;
  jsonConstrained: boolean;
  /** The running generation, with its text so far. */
  running: { genId: string; task: Task; text: string; tokens: number; stopping: boolean } | null;
  /** The last finished (or stopped) answer. */
  result: (StreamResult & { task: Task }) | null;
  error: string | null;
  history: HistoryEntry[];
}

export interface PlaygroundActions {
  refreshLoaded(): Promise<void>;
  set(patch: Partial<Pick<PlaygroundState, 'question' | 'maxNewTokens' | 'numBeams' | 'jsonConstrained'>>): void;
  ask(task: Task): Promise<void>;
  stop(): Promise<void>;
}

export interface PlaygroundDeps {
  engine: () => PlaygroundEngine;
  /** Where the session history is kept (IndexedDB in the page). */
  history?: { load(): Promise<HistoryEntry[]>; add(e: HistoryEntry): Promise<void> };
  /** What answers ("Answer with"); none or undefined = the loaded model. */
  answerWith?: () => Promise<AnswerWith | undefined>;
}

let counter = 0;

export function createPlaygroundStore(deps: PlaygroundDeps) {
  return create<PlaygroundState & PlaygroundActions>()((set, get) => ({
    loaded: null,
    question: '',
    maxNewTokens: 128,
    numBeams: 1,
    jsonConstrained: true,
    running: null,
    result: null,
    error: null,
    history: [],

    async refreshLoaded() {
      try {
        set({ loaded: await deps.engine().loadedModel() });
        if (deps.history && get().history.length === 0) set({ history: await deps.history.load() });
      } catch (e) {
        set({ error: asEngineError(e).message });
      }
    },

    set(patch) {
      set(patch);
    },

    async ask(task) {
      const { question, maxNewTokens, numBeams, jsonConstrained, running } = get();
      if (running || !question.trim()) return;
      const genId = `play-${Date.now()}-${++counter}`;
      const constrained = task === 'label' && jsonConstrained;
      set({ running: { genId, task, text: '', tokens: 0, stopping: false }, result: null, error: null });
      try {
        const answerWith = await deps.answerWith?.();
        const result = await deps.engine().generateStream(
          TASK_PREFIX[task] + question.trim(),
          { maxNewTokens, numBeams, jsonConstrained: constrained, ...(answerWith ? { answerWith } : {}) },
          (u) => {
            const r = get().running;
            if (r && r.genId === u.genId) set({ running: { ...r, text: u.text, tokens: u.tokens } });
          },
          genId,
        );
        const entry: HistoryEntry = {
          at: Date.now(), question: question.trim(), task, text: result.text, jsonConstrained: constrained, numBeams,
          tokens: result.tokens, millis: result.millis, stopped: result.stopped, finished: result.finished,
        };
        set((s) => ({ result: { ...result, task }, history: [entry, ...s.history].slice(0, 200) }));
        await deps.history?.add(entry).catch(() => undefined);
      } catch (e) {
        set({ error: asEngineError(e).message });
      } finally {
        set({ running: null });
      }
    },

    async stop() {
      const r = get().running;
      if (!r) return;
      set({ running: { ...r, stopping: true } });
      await deps.engine().stopGeneration(r.genId);
    },
  }));
}
