import { useEffect, useState } from 'react';
import type { StoredEvaluation } from '../../engine/api';
import { engineCall, engineClient } from '../engine-client';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The generation evaluations kept with a run, one row each (newest first). `version` re-reads them when it changes. */
export function StoredEvaluations({ runId, version = 0 }: { runId: string; version?: number }) {
  const [rows, setRows] = useState<StoredEvaluation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    engineCall(engineClient().runEvaluations(runId)).then(setRows, (e: Error) => setError(e.message));
  }, [runId, version]);
  if (error) return <p className="error">{error}</p>;
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted">No generation evaluations kept with this run yet (evaluate it in the Playground with “Answer with” set to one of its checkpoints).</p>;
  return (
    <table className="stored-evals" data-testid="stored-evaluations">
      <caption>Evaluations kept with the run</caption>
      <thead>
        <tr>
          <th>When</th><th>Checkpoint</th><th>Dataset</th><th>Rows</th><th>Exact</th><th>JSON valid</th><th>DSL valid</th><th>Label BLEU</th><th>Label TER</th><th>Rationale BLEU</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.checkpoint}-${r.at}`}>
            <td>{new Date(r.at).toLocaleString()}</td>
            <td>{r.checkpoint}{r.step !== null ? ` (step ${r.step})` : ''}</td>
            <td>{r.dataset?.name ?? '—'}</td>
            <td>{r.report.summary.samples}{r.dataset ? ` of ${r.dataset.evalRows}` : ''}</td>
            <td>{pct(r.report.summary.exactMatch)}</td>
            <td>{pct(r.report.summary.jsonValidity)}</td>
            <td>{pct(r.report.summary.dslValidity)}</td>
            <td>{r.report.summary.labelBleu.toFixed(2)}</td>
            <td>{r.report.summary.labelTer.toFixed(2)}</td>
            <td>{r.report.summary.rationaleBleu === null ? '—' : r.report.summary.rationaleBleu.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
