// The inspector's filters, applied in memory: the page holds the current dataset's rows (thousands, not millions),
// so filtering and paging here keeps typing in the search box instant.
import type { DatasetRow, RowSource, RowStatus, SplitName } from '../../data/records';

export interface RowFilters {
  /** Case-insensitive substring of question, label or rationale. */
  text: string;
  source: RowSource | 'all';
  validity: 'all' | 'valid' | 'invalid';
  split: SplitName | 'all';
  status: RowStatus | 'all';
}

export const NO_FILTERS: RowFilters = { text: '', source: 'all', validity: 'all', split: 'all', status: 'all' };

export function filterRows(rows: readonly DatasetRow[], splits: ReadonlyMap<string, SplitName>, f: RowFilters): DatasetRow[] {
  const needle = f.text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (f.source === 'all' || r.source === f.source) &&
      (f.status === 'all' || r.status === f.status) &&
      (f.validity === 'all' || r.validity.valid === (f.validity === 'valid')) &&
      (f.split === 'all' || splits.get(r.id) === f.split) &&
      (!needle || r.question.toLowerCase().includes(needle) || r.label.toLowerCase().includes(needle) || r.rationale.toLowerCase().includes(needle)),
  );
}

export const PAGE_SIZE = 50;

export function pageOf<T>(items: readonly T[], page: number, size = PAGE_SIZE): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(p * size, (p + 1) * size), page: p, pages };
}
