import { useId } from 'react';
import type { RowSelection } from '../../settings/run-config';
import { useDatasets } from '../datasets/datasets-slice';
import { NumberField } from './NumberField';
import { SELECTION_NAMES, selectRows, statusCounts } from './run-data';
import { useRunInputs } from './run-inputs';
import { useTrain } from './use-train';

/** Which rows the run trains on: a dataset from the Datasets store, accepted or all but rejected, optionally a slice. */
export function DataPicker({ disabled }: { disabled: boolean }) {
  const datasets = useDatasets((s) => s.datasets);
  const current = useDatasets((s) => s.current);
  const rows = useDatasets((s) => s.rows);
  const status = useDatasets((s) => s.status);
  const selection = useTrain((s) => s.config.rows);
  const evalFraction = useTrain((s) => s.config.evalFraction);
  const limit = useRunInputs((s) => s.limit);
  const setInputs = useRunInputs((s) => s.set);
  const datasetId = useId();
  const counts = statusCounts(rows);
  const chosen = selectRows(rows, selection, limit).length;

  return (
    <fieldset className="data-picker" disabled={disabled}>
      <legend>Data</legend>
      {status !== 'ready' ? <p className="muted">Opening the datasets…</p> : null}
      <div className="inline-form">
        <label htmlFor={datasetId}>Dataset</label>
        <select id={datasetId} value={current?.id ?? ''} onChange={(e) => void useDatasets.getState().openDataset(e.target.value)}>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <span className="muted small">
          {counts.accepted} accepted · {counts.pending} pending · {counts.rejected} rejected
        </span>
      </div>
      <div className="inline-form" role="radiogroup" aria-label="Rows">
        {(Object.keys(SELECTION_NAMES) as RowSelection[]).map((s) => (
          <label key={s} className="check">
            <input type="radio" name="row-selection" checked={selection === s} onChange={() => useTrain.getState().setConfig({ rows: s })} /> {SELECTION_NAMES[s]}
          </label>
        ))}
        <NumberField label="Use only the first" value={limit} integer min={1} emptyMeans="all" hint="rows (a quick trial on a slice)" onChange={(v) => setInputs({ limit: v })} />
      </div>
      <p className="small" data-testid="rows-chosen">
        {chosen} rows chosen; the seeded split holds out about {Math.round(100 * evalFraction)}% of them for evaluation (exact counts in the plan).
        {chosen === 0 && selection === 'accepted' && counts.pending > 0 ? (
          <span className="warning">
            {' '}
            No row is accepted yet: accept rows on the Datasets page, or{' '}
            <button type="button" onClick={() => useTrain.getState().setConfig({ rows: 'not-rejected' })}>
              train on all but rejected rows
            </button>
          </span>
        ) : null}
      </p>
    </fieldset>
  );
}
