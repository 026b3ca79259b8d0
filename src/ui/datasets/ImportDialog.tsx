import { useEffect, useRef, useState } from 'react';
import type { ColumnMapping, ImportPreview } from '../../data/import';
import { formatBytes } from '../format';
import { useDatasets } from './datasets-slice';
import { importSummary, startImportWorker, type ImportWorker } from './import-client';
import { isRunning, useImportJob, type ImportJob } from './import-job';

type Phase = 'pick' | 'map';
const ROLES = [
  ['question', 'Question', true],
  ['label', 'Label (Query DSL)', true],
  ['rationale', 'Rationale', true],
  ['id', 'Row id', false],
] as const;
const REASONS: Record<string, string> = {
  unparseable: 'unparseable',
  'missing-field': 'missing field',
  'repeated-field': 'field given twice',
  'label-not-json': 'label not JSON',
  'label-invalid-dsl': 'label not valid Query DSL',
  'label-too-deep': 'label nested too deeply',
  'duplicate-question': 'duplicate question',
  'duplicate-id': 'duplicate id',
};

const NOTE_KINDS: Record<string, string> = {
  'label-object': 'label given as JSON',
  'loose-quoting': 'loose CSV quoting',
};

/**
 * Import rows from JSONL / JSON / CSV: pick a file, map columns, watch progress, see every bad row and why. The
 * import itself runs in useImportJob, so it goes on (with its progress in the navigation) if the page is left.
 */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const meta = useDatasets((s) => s.current);
  const job = useImportJob((s) => s.job);
  const worker = useRef<ImportWorker | null>(null);
  const [phase, setPhase] = useState<Phase>('pick');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Partial<ColumnMapping>>({});
  const [keepInvalid, setKeepInvalid] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // This worker only previews files; the import gets its own (import-job.ts), which outlives the dialog.
    worker.current = startImportWorker();
    return () => worker.current?.close();
  }, []);

  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  const pick = async (f: File | undefined) => {
    if (!f || !worker.current) return;
    setError(null);
    setFile(f);
    try {
      const p = await worker.current.service.preview(f, { fileName: f.name });
      setPreview(p);
      setMapping(p.detected);
      setPhase('map');
    } catch (e) {
      fail(e);
    }
  };

  const run = () => {
    if (!file || !meta) return;
    setError(null);
    void useImportJob.getState().start({
      file,
      fileName: file.name,
      datasetId: meta.id,
      datasetName: meta.name,
      options: {
        fileName: file.name,
        format: preview?.format,
        mapping,
        schema: meta.task.schema,
        invalidLabels: keepInvalid ? 'keep' : 'reject',
        existingQuestions: useDatasets.getState().rows.map((r) => r.question),
      },
    });
  };

  const close = () => {
    useImportJob.getState().dismiss();
    onClose();
  };

  if (job) return <ImportJobView job={job} onClose={close} />;
  return (
    <div className="import-dialog" role="dialog" aria-label="Import rows" data-testid="import-dialog">
      <h2>Import rows into “{meta?.name}”</h2>
      <label className="file-button">
        {file ? `File: ${file.name} (${formatBytes(file.size)}) — choose another…` : 'Choose a file (JSONL, JSON array or CSV)…'}
        <input type="file" aria-label="Import file" accept=".jsonl,.ndjson,.json,.csv,.tsv" onChange={(e) => void pick(e.target.files?.[0])} />
      </label>

      {phase === 'map' && preview ? (
        <div className="import-mapping">
          <p className="small">
            Format <b>{preview.format}</b>
            {preview.delimiter ? ` (delimiter ${JSON.stringify(preview.delimiter)})` : ''} · columns: {preview.columns.join(', ') || '(none found in the first 64 KB)'}
          </p>
          <div className="mapping-grid">
            {ROLES.map(([role, title, required]) => (
              <label key={role} className="field">
                {title}
                <select aria-label={`Column for ${title}`} value={mapping[role] ?? ''} onChange={(e) => setMapping({ ...mapping, [role]: e.target.value || undefined })}>
                  <option value="">{required ? '— choose —' : '(none: id from the question)'}</option>
                  {preview.columns.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={keepInvalid} onChange={(e) => setKeepInvalid(e.target.checked)} /> Also import rows whose label is not valid Query DSL (marked
            invalid, to fix in the inspector)
          </label>
          {preview.sample.length ? (
            <details>
              <summary>First records as read</summary>
              <pre className="small">{preview.sample.map((s) => JSON.stringify(s)).join('\n')}</pre>
            </details>
          ) : null}
          <div className="actions">
            <button type="button" className="primary" disabled={!mapping.question || !mapping.label || !mapping.rationale} onClick={run}>
              Import
            </button>
          </div>
        </div>
      ) : null}

      {error ? <p className="error">{error}</p> : null}
      <div className="actions">
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </div>
  );
}

/** A running or finished import: progress and Cancel, then the report (or why nothing was added). */
function ImportJobView({ job, onClose }: { job: ImportJob; onClose: () => void }) {
  const { progress, result } = job;
  const total = progress?.total ?? job.fileSize;
  return (
    <div className="import-dialog" role="dialog" aria-label="Import rows" data-testid="import-dialog" data-phase={job.phase}>
      <h2>Import rows into “{job.datasetName}”</h2>
      {job.phase === 'parsing' ? (
        <div>
          <progress max={Math.max(1, total)} value={progress?.consumed ?? 0} aria-label="Import progress" />
          <p className="small">
            {job.fileName}: {formatBytes(progress?.consumed ?? 0)} of {formatBytes(total)} · {progress?.rows ?? 0} rows · {progress?.problems ?? 0} bad rows
          </p>
          <p className="muted small">Nothing is added until the whole file is read. You can use other pages meanwhile; the import goes on.</p>
          <button type="button" onClick={() => useImportJob.getState().cancel()}>
            Cancel import
          </button>
        </div>
      ) : null}
      {job.phase === 'saving' ? <p className="small">Saving {result?.rows.length ?? progress?.rows ?? 0} rows in one transaction…</p> : null}
      {job.phase === 'done' && result ? (
        <div>
          <p data-testid="import-summary">{importSummary(job.added, job.fileName, result.problems, job.keptInvalid, result.notes.length)}</p>
          {result.problems.length ? (
            <table className="bad-rows" data-testid="import-problems">
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Reason</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {result.problems.slice(0, 1000).map((p, i) => (
                  <tr key={i}>
                    <td className="num">{p.line}</td>
                    <td>{REASONS[p.reason] ?? p.reason}</td>
                    <td>{p.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {result.problems.length > 1000 ? <p className="muted small">Showing the first 1000 of {result.problems.length}.</p> : null}
          {result.notes.length ? (
            <table className="bad-rows" data-testid="import-notes">
              <caption className="small">Imported, with a note</caption>
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Note</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {result.notes.slice(0, 1000).map((n, i) => (
                  <tr key={i}>
                    <td className="num">{n.line}</td>
                    <td>{NOTE_KINDS[n.kind] ?? n.kind}</td>
                    <td>{n.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
      {job.message ? (
        <p className={job.phase === 'failed' ? 'error' : 'muted'} data-testid="import-message">
          {job.message}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" onClick={onClose} disabled={isRunning(job)}>
          Close
        </button>
      </div>
    </div>
  );
}
