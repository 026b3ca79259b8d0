import { zipSync } from 'fflate';
import { useEffect, useState } from 'react';
import type { RunRecord } from '../../engine/run-api';
import { asEngineError } from '../engine-client';
import { pageTrainEngine } from '../train/run-client';
import { fileStem, metricsCsv, runReportJson } from './run-report';

function download(data: Uint8Array | string, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Export: a run's PEFT adapter (best or latest checkpoint) as a zip, and its metrics as CSV and JSON. */
export function ExportPage() {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    pageTrainEngine()
      .listRuns()
      .then(setRuns, (e) => setError(asEngineError(e).message));
  }, []);
  const act = async (what: string, f: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(asEngineError(e).message);
    } finally {
      setBusy(null);
    }
  };
  const adapter = (run: RunRecord, checkpoint: 'best' | 'latest') =>
    act(`${run.id}-${checkpoint}`, async () => {
      const files = await pageTrainEngine().exportRunAdapter(run.id, checkpoint);
      const entries = Object.fromEntries(Object.entries(files).map(([name, v]) => [name, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
      download(zipSync(entries), `${fileStem(run.name)}-${checkpoint}-adapter.zip`, 'application/zip');
    });
  const report = (run: RunRecord, format: 'csv' | 'json') =>
    act(`${run.id}-${format}`, async () => {
      const rows = await pageTrainEngine().runMetrics(run.id);
      if (format === 'csv') download(metricsCsv(rows), `${fileStem(run.name)}-metrics.csv`, 'text/csv');
      else download(runReportJson(run, rows), `${fileStem(run.name)}-report.json`, 'application/json');
    });
  return (
    <section className="page" data-testid="page-export">
      <h1>Export</h1>
      <p className="muted">A run's PEFT adapter (adapter_config.json, adapter_model.safetensors, tokenizer files, README.md) as a zip, and its metrics as CSV or JSON.</p>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {runs === null ? <p className="muted">Reading runs…</p> : runs.length === 0 ? <p className="muted">No training runs yet: start one on the Train page.</p> : null}
      <ul className="export-runs">
        {(runs ?? []).map((run) => (
          <li key={run.id} data-testid="export-run">
            <strong>{run.name}</strong> <span className="muted">{run.config.method}, {run.status}, step {run.step} of {run.totalSteps}</span>
            <div className="inline-form">
              {run.config.method !== 'full' && run.checkpoints.best ? (
                <button type="button" disabled={busy !== null} onClick={() => void adapter(run, 'best')}>
                  Adapter zip (best, step {run.checkpoints.best.step})
                </button>
              ) : null}
              {run.config.method !== 'full' && run.checkpoints.latest ? (
                <button type="button" disabled={busy !== null} onClick={() => void adapter(run, 'latest')}>
                  Adapter zip (latest, step {run.checkpoints.latest.step})
                </button>
              ) : null}
              <button type="button" disabled={busy !== null} onClick={() => void report(run, 'csv')}>
                Metrics CSV
              </button>
              <button type="button" disabled={busy !== null} onClick={() => void report(run, 'json')}>
                Report JSON
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
