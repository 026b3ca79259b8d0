// The import service the browser worker exposes through comlink (src/worker/import.worker.ts). The same object
// runs in-thread in tests. Files arrive as Blobs (structured-cloned, not copied into the page's memory); progress
// goes back through a callback (wrap it with Comlink.proxy on the page side); cancel() stops the running import,
// whose promise then rejects with an AbortError.

import { importRows, previewImport, type ImportOptions, type ImportPreview, type ImportProgress, type ImportResult } from './import';

/** Import options that can cross a worker boundary (no callbacks or signals). */
export type ImportFileOptions = Omit<ImportOptions, 'onProgress' | 'signal' | 'totalBytes' | 'existingQuestions'> & { existingQuestions?: string[] };

export interface ImportService {
  /** Reads the first `headBytes` (default 64 KB) of the file for the column-mapping step. */
  preview(file: Blob, options?: { fileName?: string; headBytes?: number }): Promise<ImportPreview>;
  importFile(file: Blob, options: ImportFileOptions, onProgress?: (p: ImportProgress) => void): Promise<ImportResult>;
  /** Cancels the import in progress, if any. */
  cancel(): void;
}

/**
 * Largest file imported. Rows are held in memory until the import is saved in one transaction (all or nothing),
 * so a file must fit in a worker's memory with room to spare.
 */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

function checkSize(file: Blob, maxBytes: number, name: string | undefined): void {
  if (file.size > maxBytes) {
    const gib = (n: number) => `${(n / 1024 ** 3).toFixed(n >= 1024 ** 3 ? 1 : 3)} GiB`;
    throw new Error(`${name ?? 'the file'} is ${gib(file.size)}; files over ${gib(maxBytes)} are not imported (split it into parts, each imported in turn)`);
  }
}

export function createImportService(limits: { maxFileBytes?: number } = {}): ImportService {
  const maxBytes = limits.maxFileBytes ?? MAX_IMPORT_BYTES;
  let running: AbortController | null = null;
  return {
    async preview(file, options = {}) {
      checkSize(file, maxBytes, options.fileName ?? (file as File).name);
      const head = await file.slice(0, options.headBytes ?? 65536).text();
      return previewImport(head, { fileName: options.fileName ?? (file as File).name });
    },
    async importFile(file, options, onProgress) {
      checkSize(file, maxBytes, options.fileName ?? (file as File).name);
      running?.abort();
      const controller = new AbortController();
      running = controller;
      let last = 0;
      try {
        return await importRows(file.stream(), {
          ...options,
          fileName: options.fileName ?? (file as File).name,
          totalBytes: file.size,
          signal: controller.signal,
          // At most ~10 updates a second across the worker boundary, plus the final one.
          onProgress: onProgress && ((p) => {
            const now = Date.now();
            if (now - last >= 100 || p.consumed === file.size) {
              last = now;
              onProgress(p);
            }
          }),
        });
      } finally {
        if (running === controller) running = null;
      }
    },
    cancel() {
      running?.abort();
    },
  };
}
