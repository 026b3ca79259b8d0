// Derived views of the open dataset, memoised on the rows array so typing in the search box does not re-split.
import { useMemo } from 'react';
import type { DatasetRow, SplitName } from '../../data/records';
import { assignSplits } from '../../data/split';
import { useDatasets } from './datasets-slice';
import { filterRows } from './filter-rows';

/** Train/eval split of every row, from the dataset's seed and train fraction. */
export function useSplits(): ReadonlyMap<string, SplitName> {
  const rows = useDatasets((s) => s.rows);
  const seed = useDatasets((s) => s.current?.splitSeed);
  const fraction = useDatasets((s) => s.current?.trainFraction);
  return useMemo(() => assignSplits(rows, { seed, trainFraction: fraction }), [rows, seed, fraction]);
}

export function useFilteredRows(): DatasetRow[] {
  const rows = useDatasets((s) => s.rows);
  const filters = useDatasets((s) => s.filters);
  const splits = useSplits();
  return useMemo(() => filterRows(rows, splits, filters), [rows, splits, filters]);
}

export function useSelectedRow(): DatasetRow | null {
  const rows = useDatasets((s) => s.rows);
  const id = useDatasets((s) => s.selectedRowId);
  return useMemo(() => rows.find((r) => r.id === id) ?? null, [rows, id]);
}
