// Which dataset rows a run trains on, chosen on the Train page: accepted rows only, or every row not rejected, and
// optionally only the first N of those (a quick trial on a slice). Pure, so it is tested without a browser.
import type { DatasetMeta, DatasetRow } from '../../data/records';
import type { RunData } from '../../engine/run-api';
import type { RowSelection } from '../../settings/run-config';

export const SELECTION_NAMES: Record<RowSelection, string> = { accepted: 'Accepted rows', 'not-rejected': 'All but rejected rows' };

export function selectRows(rows: readonly DatasetRow[], selection: RowSelection, limit: number | null): DatasetRow[] {
  const chosen = rows.filter((r) => (selection === 'accepted' ? r.status === 'accepted' : r.status !== 'rejected'));
  return limit !== null && limit > 0 ? chosen.slice(0, limit) : chosen;
}

/** Counts by status, so the picker can say how many rows each choice gives. */
export function statusCounts(rows: readonly DatasetRow[]): { accepted: number; pending: number; rejected: number } {
  const c = { accepted: 0, pending: 0, rejected: 0 };
  for (const r of rows) c[r.status]++;
  return c;
}

/** The rows copied into the run, so later dataset edits cannot change a resume. */
export function runData(meta: DatasetMeta, rows: readonly DatasetRow[], selection: RowSelection, limit: number | null): RunData {
  return {
    name: limit ? `${meta.name} (first ${limit})` : meta.name,
    datasetId: meta.id,
    datasetVersion: meta.version,
    selection,
    rows: selectRows(rows, selection, limit).map((r) => ({ id: r.id, question: r.question, label: r.label, rationale: r.rationale, createdAt: r.createdAt })),
  };
}
