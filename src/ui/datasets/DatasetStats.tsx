import { useMemo } from 'react';
import { useDatasets } from './datasets-slice';
import { datasetStats } from './dataset-stats';
import { useSplits } from './use-dataset-views';

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

/** Rows, splits (with seed), validity rate, review status, sources and Query DSL clause coverage. */
export function DatasetStats() {
  const rows = useDatasets((s) => s.rows);
  const meta = useDatasets((s) => s.current);
  const splits = useSplits();
  const s = useMemo(() => datasetStats(rows, splits), [rows, splits]);
  if (!meta) return null;
  return (
    <section className="dataset-stats" data-testid="dataset-stats" aria-label="Dataset statistics">
      <h2>Statistics</h2>
      <dl className="stat-grid">
        <dt>Rows</dt>
        <dd data-testid="stat-rows">{s.rows}</dd>
        <dt>Split</dt>
        <dd data-testid="stat-split">
          train {s.splits.train} · eval {s.splits.eval}
          <span className="muted small">
            {' '}
            (seed {meta.splitSeed}, {Math.round(meta.trainFraction * 100)}/{Math.round((1 - meta.trainFraction) * 100)}, dataset version {meta.version})
          </span>
        </dd>
        <dt>Valid labels</dt>
        <dd data-testid="stat-valid">
          {s.valid} ({pct(s.valid, s.rows)}); {s.rows - s.parses} not JSON
        </dd>
        <dt>Review</dt>
        <dd>
          {s.status.accepted} accepted · {s.status.rejected} rejected · {s.status.pending} pending
        </dd>
        <dt>Sources</dt>
        <dd>
          {s.sources.teacher} teacher · {s.sources.import} import · {s.sources.manual} manual
        </dd>
      </dl>
      <h3>Query clause coverage</h3>
      <p className="muted small">Rows whose label uses each clause, aggregation or top-level key.</p>
      <table className="coverage" data-testid="clause-coverage">
        <tbody>
          {s.coverage.map(([name, n]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td className="num">{n}</td>
              <td className="num muted">{pct(n, s.rows)}</td>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${s.rows ? (100 * n) / s.rows : 0}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
