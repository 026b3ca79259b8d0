import type { DatasetRow, SplitName } from '../../data/records';
import { useDatasets } from './datasets-slice';
import { pageOf } from './filter-rows';

/** One page of the filtered rows; click a row to inspect it. Paged (50 a page) so 10k rows render instantly. */
export function RowTable({ rows, splits }: { rows: DatasetRow[]; splits: ReadonlyMap<string, SplitName> }) {
  const page = useDatasets((s) => s.page);
  const setPage = useDatasets((s) => s.setPage);
  const selected = useDatasets((s) => s.selectedRowId);
  const selectRow = useDatasets((s) => s.selectRow);
  const view = pageOf(rows, page);
  return (
    <div className="row-table-wrap">
      <table className="row-table" data-testid="rows-table">
        <thead>
          <tr>
            <th>Question</th>
            <th>Source</th>
            <th>Status</th>
            <th>Label</th>
            <th>Split</th>
          </tr>
        </thead>
        <tbody>
          {view.items.map((r) => (
            <tr
              key={r.id}
              className={r.id === selected ? 'selected' : ''}
              aria-selected={r.id === selected}
              tabIndex={0}
              onClick={() => selectRow(r.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') selectRow(r.id);
              }}
            >
              <td className="q">{r.question}</td>
              <td>{r.source}</td>
              <td className={`status-${r.status}`}>{r.status}</td>
              <td className={r.validity.valid ? 'ok' : 'error'}>{r.validity.valid ? 'valid' : r.validity.parses ? 'invalid' : 'not JSON'}</td>
              <td>{splits.get(r.id)}</td>
            </tr>
          ))}
          {view.items.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                No rows match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" onClick={() => setPage(view.page - 1)} disabled={view.page === 0}>
          ‹ Previous
        </button>
        <span className="small" data-testid="pager">
          Page {view.page + 1} of {view.pages}
        </span>
        <button type="button" onClick={() => setPage(view.page + 1)} disabled={view.page >= view.pages - 1}>
          Next ›
        </button>
      </div>
    </div>
  );
}
