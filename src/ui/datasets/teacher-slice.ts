// The teacher panel's state and the run itself. The run lives in the page (it is network-bound, all awaits), and
// every answered question is written to the open dataset at once, so a cancelled or crashed run resumes from the
// rows already stored: questions that have a row in the dataset are never asked again.
import { create } from 'zustand';
import { DEFAULT_PROMPT_TEMPLATE, redactSecret, runTeacher, type TeacherConfig, type TeacherProgress } from '../../data/teacher';
import { useDatasets } from './datasets-slice';
import { parseQuestionList } from './question-list';
import { browserStorage, loadTeacherSettings, saveTeacherSettings } from './teacher-settings';

const MAX_LOG_LINES = 200;

export interface TeacherState {
  /** Includes the API key, held in memory; persisted only with rememberKey (see teacher-settings.ts). */
  config: TeacherConfig;
  rememberKey: boolean;
  /** The editor's template; saved into the dataset's task when a run starts or on "Save template". */
  template: string;
  questionsText: string;
  /** Which question the prompt preview shows. */
  previewIndex: number;
  running: boolean;
  progress: TeacherProgress | null;
  logs: string[];
  /** One line about how the last run ended. */
  outcome: string | null;
  controller: AbortController | null;
}

export interface TeacherActions {
  setConfig(patch: Partial<TeacherConfig>): void;
  setRememberKey(remember: boolean): void;
  setTemplate(template: string): void;
  setQuestionsText(text: string): void;
  setPreviewIndex(i: number): void;
  /** Start, or resume (same thing: answered questions are skipped). */
  start(): Promise<void>;
  cancel(): void;
}

export type TeacherSlice = TeacherState & TeacherActions;

const saved = loadTeacherSettings(browserStorage());

export const useTeacher = create<TeacherSlice>()((set, get) => {
  const persist = () => saveTeacherSettings(browserStorage(), { config: get().config, rememberKey: get().rememberKey });
  const log = (line: string) => set((s) => ({ logs: [...s.logs.slice(-(MAX_LOG_LINES - 1)), `${new Date().toLocaleTimeString()} ${line}`] }));

  return {
    config: saved.config,
    rememberKey: saved.rememberKey,
    template: DEFAULT_PROMPT_TEMPLATE,
    questionsText: '',
    previewIndex: 0,
    running: false,
    progress: null,
    logs: [],
    outcome: null,
    controller: null,

    setConfig(patch) {
      set((s) => ({ config: { ...s.config, ...patch } }));
      persist();
    },
    setRememberKey(rememberKey) {
      set({ rememberKey });
      persist();
    },
    setTemplate(template) {
      set({ template });
    },
    setQuestionsText(questionsText) {
      set({ questionsText });
    },
    setPreviewIndex(previewIndex) {
      set({ previewIndex });
    },

    async start() {
      if (get().running) return;
      // Claimed before the first await, so a double click cannot start a second run over the same questions.
      const controller = new AbortController();
      set({ running: true, controller, outcome: null, progress: null });
      try {
        const datasets = useDatasets.getState();
        const meta = datasets.current;
        if (!meta) {
          set({ outcome: 'Open or create a dataset first.' });
          return;
        }
        const { questions } = parseQuestionList(get().questionsText);
        if (questions.length === 0) {
          set({ outcome: 'Add questions first (one per line, or import a file).' });
          return;
        }
        const template = get().template;
        if (template !== meta.task.promptTemplate) await datasets.saveTask({ ...meta.task, promptTemplate: template });
        const result = await runTeacher({
          config: get().config,
          schema: meta.task.schema,
          template,
          datasetId: meta.id,
          questions,
          answered: useDatasets.getState().rows.map((r) => r.question),
          signal: controller.signal,
          onRow: (row) => useDatasets.getState().addRows([row]),
          onProgress: (progress) => set({ progress }),
          onLog: log,
        });
        const p = result.progress;
        const what = `${p.answered} answered, ${p.failed} failed, ${p.skipped} skipped (already in the dataset)`;
        set({
          outcome: result.fatal
            ? `Stopped: ${result.fatal}`
            : result.cancelled
              ? `Cancelled: ${what}. Run again to resume where it stopped.`
              : p.failed
                ? `Finished with failures: ${what}. Run again to retry the failed questions.`
                : `Finished: ${what}.`,
        });
      } catch (e) {
        // The message may quote a server's reply that echoes the key: redacted like everything else the run says.
        set({ outcome: redactSecret(`Could not run: ${e instanceof Error ? e.message : String(e)}`, get().config.apiKey?.trim()) });
      } finally {
        set({ running: false, controller: null });
      }
    },

    cancel() {
      get().controller?.abort();
    },
  };
});
