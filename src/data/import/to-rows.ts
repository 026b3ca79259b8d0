// Imported rows become dataset rows: an id (the file's, or a stable hash of the question so re-importing the same
// file gives the same ids), source "import", status "pending".

import type { DatasetRow } from '../records';
import { hashString } from '../../common/random';
import { normalizeQuestion } from '../split';
import type { ImportedRow } from './import';

export function importedRowId(question: string): string {
  return `q-${hashString(normalizeQuestion(question)).toString(36)}`;
}

export function toDatasetRows(rows: ImportedRow[], datasetId: string, now = Date.now()): DatasetRow[] {
  return rows.map((r) => ({
    id: r.id ?? importedRowId(r.question),
    datasetId,
    question: r.question,
    label: r.label,
    rationale: r.rationale,
    source: 'import',
    status: 'pending',
    validity: r.validity,
    createdAt: now,
    updatedAt: now,
  }));
}
