// The page side of H6's import worker: a Comlink proxy of ImportService running in src/worker/import.worker.ts,
// so parsing a 50 MB file never blocks rendering. One worker per open import dialog, terminated on close.
import * as Comlink from 'comlink';
import type { ImportService } from '../../data/import';
import type { DatasetRow } from '../../data/records';
import { importedRowId } from '../../data/import';

export interface ImportWorker {
  service: Comlink.Remote<ImportService>;
  close(): void;
}

export function startImportWorker(): ImportWorker {
  const worker = new Worker(new URL('../../worker/import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
  const service = Comlink.wrap<ImportService>(worker);
  return {
    service,
    close() {
      service[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/**
 * A file's own id column could name a row that already exists with another question; writing it would silently
 * replace that row. Such rows get the question-hash id instead (duplicates of existing questions never get here:
 * the importer reports them).
 */
export function avoidIdCollisions(rows: DatasetRow[], existing: ReadonlyMap<string, string>): DatasetRow[] {
  return rows.map((r) => {
    const had = existing.get(r.id);
    return had !== undefined && had !== r.question ? { ...r, id: importedRowId(r.question) } : r;
  });
}
