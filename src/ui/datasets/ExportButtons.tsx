import { useState } from 'react';
import { csvLines, jsonlLines, type ExportColumn } from '../../data/export';
import type { DatasetRow } from '../../data/records';
import { download } from '../download';
import { useDatasets } from './datasets-slice';
import { useSplits } from './use-dataset-views';

const COLUMNS: ExportColumn[] = ['id', 'question', 'label', 'rationale', 'split', 'source', 'status'];
type Which = 'not-rejected' | 'accepted' | 'all';

/** Download the open dataset as JSONL or CSV (question, label, rationale, split...; never keys or raw replies). */
export function ExportButtons() {
  const rows = useDatasets((s) => s.rows);
  const meta = useDatasets((s) => s.current);
  const splits = useSplits();
  const [which, setWhich] = useState<Which>('not-rejected');
  if (!meta) return null;
  const chosen = (): (DatasetRow & { split?: string })[] =>
    rows
      .filter((r) => which === 'all' || (which === 'accepted' ? r.status === 'accepted' : r.status !== 'rejected'))
      .map((r) => ({ ...r, split: splits.get(r.id) }));
  const base = meta.name.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '') || 'dataset';
  return (
    <div className="export-buttons">
      <label>
        Export{' '}
        <select aria-label="Rows to export" value={which} onChange={(e) => setWhich(e.target.value as Which)}>
          <option value="not-rejected">all but rejected</option>
          <option value="accepted">accepted only</option>
          <option value="all">all rows</option>
        </select>
      </label>{' '}
      <button type="button" onClick={() => download(`${base}.jsonl`, [...jsonlLines(chosen(), COLUMNS)], 'application/x-ndjson')}>
        JSONL
      </button>{' '}
      <button
        type="button"
        title="Cells that start with = + - or @ are written with a leading ' so spreadsheets do not run them as formulas; importing the file here removes it."
        onClick={() => download(`${base}.csv`, [...csvLines(chosen(), COLUMNS)], 'text/csv')}
      >
        CSV
      </button>{' '}
      <span className="muted small">CSV: cells starting with = + - @ get a leading &apos; (spreadsheet formula guard)</span>
    </div>
  );
}
