import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import { toDatasetRows, type ColumnMapping, type ImportPreview, type ImportProgress, type ImportResult } from '../../data/import';
import { formatBytes } from '../format';
import { useDatasets } from './datasets-slice';
import { avoidIdCollisions, importSummary, startImportWorker, type ImportWorker } from './import-client';

type Phase = 'pick' | 'map' | 'importing' | 'done';
const ROLES = [
  ['question', 'Question', true],
  ['label', 'Label (Query DSL)', true],
  ['rationale', 'Rationale', true],
  ['id', 'Row id', false],
] as const;
const REASONS: Record<string, string> = {
  unparseable: 'unparseable',
  'missing-field': 'missing field',
  'label-not-json': 'label not JSON',
  'label-invalid-dsl': 'label not valid Query DSL',
  'duplicate-question': 'duplicate question',
  'duplicate-id': 'duplicate id',
};

/** Import rows from JSONL / JSON / CSV: pick a file, map columns, watch progress, see every bad row and why. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const meta = useDatasets((s) => s.current);
  const addRows = useDatasets((s) => s.addRows);
  const worker = useRef<ImportWorker | null>(null);
  const [phase, setPhase] = useState<Phase>('pick');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Partial<ColumnMapping>>({});
  const [keepInvalid, setKeepInvalid] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [added, setAdded] = useState(0);
  const [keptInvalid, setKeptInvalid] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
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

  const run = async () => {
    if (!file || !meta || !worker.current) return;
    setError(null);
    setPhase('importing');
    setProgress(null);
    const rows = useDatasets.getState().rows;
    try {
      const res = await worker.current.service.importFile(
        file,
        {
          fileName: file.name,
          format: preview?.format,
          mapping,
          schema: meta.task.schema,
          invalidLabels: keepInvalid ? 'keep' : 'reject',
          existingQuestions: rows.map((r) => r.question),
        },
        Comlink.proxy((p: ImportProgress) => setProgress(p)),
      );
      const existing = new Map(rows.map((r) => [r.id, r.question]));
      const newRows = avoidIdCollisions(toDatasetRows(res.rows, meta.id), existing);
      await addRows(newRows);
      setAdded(newRows.length);
      setKeptInvalid(keepInvalid);
      setResult(res);
      setPhase('done');
    } catch (e) {
      setPhase('map');
      fail((e as Error)?.name === 'AbortError' ? 'Import cancelled; nothing was added.' : e);
    }
  };

  const total = progress?.total ?? file?.size ?? 0;
  return (
    <div className="import-dialog" role="dialog" aria-label="Import rows" data-testid="import-dialog">
      <h2>Import rows into “{meta?.name}”</h2>
      {phase === 'pick' || phase === 'map' ? (
        <label className="file-button">
          {file ? `File: ${file.name} (${formatBytes(file.size)}) — choose another…` : 'Choose a file (JSONL, JSON array or CSV)…'}
          <input type="file" aria-label="Import file" accept=".jsonl,.ndjson,.json,.csv,.tsv" onChange={(e) => void pick(e.target.files?.[0])} />
        </label>
      ) : null}

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
            <button type="button" className="primary" disabled={!mapping.question || !mapping.label || !mapping.rationale} onClick={() => void run()}>
              Import
            </button>
          </div>
        </div>
      ) : null}

      {phase === 'importing' ? (
        <div>
          <progress max={Math.max(1, total)} value={progress?.consumed ?? 0} aria-label="Import progress" />
          <p className="small">
            {formatBytes(progress?.consumed ?? 0)} of {formatBytes(total)} · {progress?.rows ?? 0} rows · {progress?.problems ?? 0} bad rows
          </p>
          <button type="button" onClick={() => worker.current?.service.cancel()}>
            Cancel import
          </button>
        </div>
      ) : null}

      {phase === 'done' && result ? (
        <div>
          <p data-testid="import-summary">
            {importSummary(added, file?.name ?? 'the file', result.problems, keptInvalid)}
          </p>
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
        </div>
      ) : null}

      {error ? <p className="error">{error}</p> : null}
      <div className="actions">
        <button type="button" onClick={onClose} disabled={phase === 'importing'}>
          Close
        </button>
      </div>
    </div>
  );
}
