// The running dataset import, kept outside the Datasets page so leaving the page never drops it: the worker, its
// progress and its result live here until the user closes the report. Cancel is all or nothing: the parse runs in
// a worker that cancel terminates, and rows are written only after a whole file parsed, in one transaction, so a
// cancelled import leaves the dataset exactly as it was.
import * as Comlink from 'comlink';
import { create } from 'zustand';
import { toDatasetRows, type ImportFileOptions, type ImportProgress, type ImportResult } from '../../data/import';
import { useDatasets } from './datasets-slice';
import { avoidIdCollisions, startImportWorker } from './import-client';

/** What an import needs from its worker; tests pass the in-thread service. */
export interface ImportConnection {
  importFile(file: Blob, options: ImportFileOptions, onProgress: (p: ImportProgress) => void): Promise<ImportResult>;
  /** Stops the import at once (terminates the worker) and frees it. */
  close(): void;
}

export function workerConnection(): ImportConnection {
  const worker = startImportWorker();
  return {
    importFile: (file, options, onProgress) => worker.service.importFile(file, options, Comlink.proxy(onProgress)),
    close: () => worker.close(),
  };
}

export type ImportJobPhase = 'parsing' | 'saving' | 'done' | 'cancelled' | 'failed';

export interface ImportJob {
  datasetId: string;
  datasetName: string;
  fileName: string;
  fileSize: number;
  phase: ImportJobPhase;
  progress: ImportProgress | null;
  result: ImportResult | null;
  /** Rows written to the dataset (0 unless done). */
  added: number;
  keptInvalid: boolean;
  /** Cancelled or failed: what happened, in words. */
  message: string | null;
}

export interface StartImport {
  file: Blob;
  fileName: string;
  datasetId: string;
  datasetName: string;
  options: ImportFileOptions;
  connect?: () => ImportConnection;
}

interface ImportJobState {
  job: ImportJob | null;
  /** Resolves when the import has finished, failed or been cancelled. */
  start(input: StartImport): Promise<void>;
  /** Stops a parsing import; nothing is added. (Saving is one transaction and is not interrupted.) */
  cancel(): void;
  /** Forget a finished job (closing its report). */
  dismiss(): void;
}

export const isRunning = (job: ImportJob | null): boolean => job?.phase === 'parsing' || job?.phase === 'saving';

export const useImportJob = create<ImportJobState>()((set, get) => {
  let stop: (() => void) | null = null;
  const patch = (p: Partial<ImportJob>) => set((s) => (s.job ? { job: { ...s.job, ...p } } : s));
  const warnOnUnload = (e: BeforeUnloadEvent) => e.preventDefault();

  return {
    job: null,

    async start({ file, fileName, datasetId, datasetName, options, connect = workerConnection }) {
      if (isRunning(get().job)) throw new Error('an import is already running; wait for it or cancel it first');
      set({
        job: { datasetId, datasetName, fileName, fileSize: file.size, phase: 'parsing', progress: null, result: null, added: 0, keptInvalid: options.invalidLabels === 'keep', message: null },
      });
      const connection = connect();
      let cancelled = false;
      const stopped = new Promise<'cancelled'>((resolve) => {
        stop = () => {
          cancelled = true;
          resolve('cancelled');
        };
      });
      globalThis.addEventListener?.('beforeunload', warnOnUnload);
      try {
        const result = await Promise.race([connection.importFile(file, options, (p) => !cancelled && patch({ progress: p })), stopped]);
        if (result === 'cancelled' || cancelled) return;
        stop = null;
        patch({ phase: 'saving' });
        const datasets = useDatasets.getState();
        if (!datasets.store) throw new Error('the dataset store is not open');
        const stored = await datasets.store.listRows(datasetId);
        const rows = avoidIdCollisions(toDatasetRows(result.rows, datasetId), new Map(stored.map((r) => [r.id, r.question])));
        await datasets.addRows(rows);
        patch({ phase: 'done', result, added: rows.length });
      } catch (e) {
        if (!cancelled) patch({ phase: 'failed', message: `Import failed; nothing was added to “${datasetName}”: ${e instanceof Error ? e.message : String(e)}` });
      } finally {
        stop = null;
        connection.close();
        globalThis.removeEventListener?.('beforeunload', warnOnUnload);
      }
    },

    cancel() {
      const job = get().job;
      if (job?.phase !== 'parsing' || !stop) return;
      stop();
      patch({ phase: 'cancelled', message: `Import cancelled; nothing was added to “${job.datasetName}” (it is exactly as before).` });
    },

    dismiss() {
      if (!isRunning(get().job)) set({ job: null });
    },
  };
});
