// Dataset statistics for the inspector: sizes per split, validity, review status, sources, and which Query DSL
// clauses the labels cover (how many rows use each), so gaps in the training data are visible.
import { clauseCoverage } from '../../data/query-dsl';
import type { DatasetRow, RowSource, RowStatus, SplitName } from '../../data/records';

export interface DatasetStats {
  rows: number;
  splits: Record<SplitName, number>;
  valid: number;
  parses: number;
  /** valid / rows, 0 for an empty dataset. */
  validityRate: number;
  status: Record<RowStatus, number>;
  sources: Record<RowSource, number>;
  /** Clause name -> rows using it, most used first. */
  coverage: [string, number][];
}

export function datasetStats(rows: readonly DatasetRow[], splits: ReadonlyMap<string, SplitName>, coverageOf = clauseCoverage): DatasetStats {
  const s: DatasetStats = {
    rows: rows.length,
    splits: { train: 0, eval: 0 },
    valid: 0,
    parses: 0,
    validityRate: 0,
    status: { pending: 0, accepted: 0, rejected: 0 },
    sources: { teacher: 0, import: 0, manual: 0 },
    coverage: [],
  };
  const clauses = new Map<string, number>();
  for (const r of rows) {
    const split = splits.get(r.id);
    if (split) s.splits[split]++;
    if (r.validity.valid) s.valid++;
    if (r.validity.parses) s.parses++;
    s.status[r.status]++;
    s.sources[r.source]++;
    if (r.validity.parses) for (const c of coverageOf(r.label)) clauses.set(c, (clauses.get(c) ?? 0) + 1);
  }
  s.validityRate = rows.length ? s.valid / rows.length : 0;
  s.coverage = [...clauses].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return s;
}
