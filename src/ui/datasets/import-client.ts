// The page side of the import worker: a Comlink proxy of ImportService running in src/worker/import.worker.ts,
// so parsing a 50 MB file never blocks rendering. The dialog has one for previews; each import gets its own
// (import-job.ts), terminated when it ends or is cancelled.
import * as Comlink from 'comlink';
import type { ImportProblem, ImportService } from '../../data/import';
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
 * Rows are stored by id, so an id already used by another question would silently replace that row: an existing
 * row (perhaps edited since, so its question-hash id no longer matches its question), or an earlier row of the same
 * import (two questions whose 32-bit hashes collide). Such rows get a fresh id: the question hash, then the hash with
 * a counter until the id is free. Ids used by the same question are kept (re-importing updates that row).
 * `existing` maps stored ids to their questions.
 */
export function avoidIdCollisions(rows: DatasetRow[], existing: ReadonlyMap<string, string>): DatasetRow[] {
  const used = new Map(existing);
  return rows.map((r) => {
    let row = r;
    const had = used.get(r.id);
    if (had !== undefined && had !== r.question) {
      const base = importedRowId(r.question);
      let id = base;
      for (let n = 2; used.has(id) && used.get(id) !== r.question; n++) id = `${base}-${n}`;
      row = { ...r, id };
    }
    used.set(row.id, row.question);
    return row;
  });
}

const LABEL_PROBLEMS = new Set<ImportProblem['reason']>(['label-not-json', 'label-invalid-dsl']);

/**
 * The import dialog's summary line. With "keep invalid" the rows with bad labels were imported (marked invalid), so
 * they are counted apart from the rows that were not imported.
 */
export function importSummary(added: number, fileName: string, problems: readonly ImportProblem[], keptInvalid: boolean, notes = 0): string {
  const kept = keptInvalid ? problems.filter((p) => LABEL_PROBLEMS.has(p.reason)).length : 0;
  const rejected = problems.length - kept;
  const keptNote = kept ? `; ${kept} of them with an invalid label (marked invalid, to fix in the inspector)` : '';
  const noted = notes ? ` ${notes} imported rows have a note (see below).` : '';
  return `Imported ${added} rows from ${fileName}${keptNote}; ${rejected} bad rows not imported.${noted}`;
}
