import { RowDetail } from './RowDetail';
import { RowFilters } from './RowFilters';
import { RowTable } from './RowTable';
import { useDatasets } from './datasets-slice';
import { useFilteredRows, useSelectedRow, useSplits } from './use-dataset-views';

/** The inspector: filters and the paged table on the left, the selected row on the right. */
export function RowsView() {
  const total = useDatasets((s) => s.rows.length);
  const rows = useFilteredRows();
  const splits = useSplits();
  const selected = useSelectedRow();
  return (
    <div className="rows-view">
      <div className="rows-list">
        <RowFilters shown={rows.length} total={total} />
        <RowTable rows={rows} splits={splits} />
      </div>
      <div className="rows-detail">
        {selected ? <RowDetail key={selected.id} row={selected} split={splits.get(selected.id)} /> : <p className="muted">Select a row to see its rationale and label.</p>}
      </div>
    </div>
  );
}
