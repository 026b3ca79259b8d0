import { useEffect, useState } from 'react';
import type { AnswerWith, ExportChunk, MergeProgress } from '../../engine/api';
import type { FileRecord, RunRecord } from '../../engine/run-api';
import { deleteAdapter, listAdapters, putAdapter, type StoredAdapter } from '../../hosts/browser/idb-adapter-store';
import { asEngineError, engineCall, engineClient } from '../engine-client';
import { StoredEvaluations } from '../playground/StoredEvaluations';
import { useAnswerWith } from '../playground/answer-with';
import { pageTrainEngine } from '../train/run-client';
import { continueTraining } from '../train/start-adapter';
import * as Comlink from 'comlink';
import { parseAdapterFiles, parseAdapterZip, type ParsedAdapter } from './adapter-import';
import { RayBundleExport } from './RayBundleExport';
import { lossChartSvg } from './report-chart';
import { fileStem, metricsCsv, runReportJson } from './run-report';
import { fileRecordChunks } from './zip-stream';
import { zipDownload, type ZipDownloadResult } from './zip-download';
import { download } from '../download';
import { downloadChart } from '../experiments/download';
import './export.css';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const mergeProgressText = (p: MergeProgress) =>
  p.stage === 'build' ? 'Merged model: building the model…' : `Merged model: folding and writing ${p.file ?? 'files'}, ${mb(p.done)} of ${mb(p.total)}`;

/** Export: adapters, merged models, metrics and charts of each run; imported PEFT adapters. */
export function ExportPage() {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [adapters, setAdapters] = useState<StoredAdapter[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ text: string; done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** Aborts the zip download in progress (Cancel); null when none runs. */
  const [zipInProgress, setZipInProgress] = useState<AbortController | null>(null);
  const refreshAdapters = () => listAdapters().then(setAdapters, (e: Error) => setError(e.message));
  useEffect(() => {
    pageTrainEngine()
      .listRuns()
      .then(setRuns, (e) => setError(asEngineError(e).message));
    void refreshAdapters();
  }, []);
  const act = async (what: string, f: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      await f();
    } catch (e) {
      setError(asEngineError(e).message);
    } finally {
      setBusy(null);
      setProgress(null);
    }
  };
  /** A zip streamed to the save target (a picked file, else a download) with a Cancel that leaves nothing saved. */
  const streamZip = async (name: string, produce: (sink: (c: ExportChunk) => Promise<void>) => Promise<unknown>) => {
    const controller = new AbortController();
    setZipInProgress(controller);
    setNotice(null);
    let result: ZipDownloadResult;
    try {
      result = await zipDownload(name, produce, controller.signal);
    } finally {
      setZipInProgress(null);
    }
    if (result === 'cancelled') setNotice(`Cancelled ${name}: nothing was saved.`);
    else if (result === 'saved') setNotice(`Saved ${name}.`);
  };
  const zipFiles = (files: FileRecord, name: string) => (sink: (c: ExportChunk) => Promise<void>) =>
    fileRecordChunks(files, sink, (p) => setProgress({ text: `Zipping ${name}: ${p.file}, ${mb(p.done)} of ${mb(p.total)}`, done: p.done, total: p.total }));
  const adapterZip = (run: RunRecord, checkpoint: 'best' | 'latest') =>
    act(`${run.id}-${checkpoint}`, async () => {
      const name = `${fileStem(run.name)}-${checkpoint}-adapter.zip`;
      await streamZip(name, async (sink) => {
        setProgress({ text: 'Reading the adapter from the run…', done: 0, total: 1 });
        await zipFiles(await pageTrainEngine().exportRunAdapter(run.id, checkpoint), name)(sink);
      });
    });
  const mergedZip = (what: Exclude<AnswerWith, { kind: 'loaded' }>, stem: string) =>
    act(`merged-${stem}`, async () => {
      const onProgress = (p: MergeProgress) => setProgress({ text: mergeProgressText(p), done: p.done, total: p.total });
      await streamZip(`${stem}-merged.zip`, (sink) => engineCall(engineClient().exportMergedModel(what, Comlink.proxy(sink), Comlink.proxy(onProgress))));
    });
  const report = (run: RunRecord, format: 'csv' | 'json' | 'svg' | 'png') =>
    act(`${run.id}-${format}`, async () => {
      const rows = await pageTrainEngine().runMetrics(run.id);
      const stem = fileStem(run.name);
      if (format === 'csv') download(`${stem}-metrics.csv`, metricsCsv(rows), 'text/csv');
      else if (format === 'json') download(`${stem}-report.json`, runReportJson(run, rows), 'application/json');
      else {
        const svg = lossChartSvg(rows, `${run.name}: loss (${run.config.method}, step ${run.step} of ${run.totalSteps})`);
        await downloadChart(`${stem}-loss`, svg, format);
      }
    });
  const keep = async (parsed: ParsedAdapter, label: string) => {
    const id = `${fileStem(label)}-${Date.now()}`;
    await putAdapter({ id, label, importedAt: Date.now(), base: parsed.base, r: parsed.r, alpha: parsed.alpha, files: parsed.files });
    await refreshAdapters();
    await useAnswerWith.getState().refresh();
    setNotice(`Imported ${label} (r ${parsed.r}, alpha ${parsed.alpha}${parsed.base ? `, base ${parsed.base}` : ''}): answer with it in the Playground.`);
  };
  const importZip = (file: File) => act('import', async () => keep(parseAdapterZip(new Uint8Array(await file.arrayBuffer()), file.name), file.name.replace(/\.zip$/i, '')));
  const importFolder = (files: File[]) =>
    act('import', async () => {
      const entries: Record<string, Uint8Array> = {};
      for (const f of files) entries[f.webkitRelativePath || f.name] = new Uint8Array(await f.arrayBuffer());
      const name = (files[0]?.webkitRelativePath || 'adapter').split('/')[0];
      await keep(parseAdapterFiles(entries, name), name);
    });
  const working = busy !== null;
  return (
    <section className="page export" data-testid="page-export">
      <h1>Export</h1>
      <p className="muted">
        Each run's PEFT adapter (adapter_config.json, adapter_model.safetensors, tokenizer files, README.md) or merged model (a plain Hugging Face
        checkpoint: config.json, model.safetensors, tokenizer files) as a zip; its metrics as CSV or JSON and its loss chart as SVG or PNG. Import a
        PEFT adapter to answer with it in the Playground.
      </p>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {notice ? <p className="notice" role="status" data-testid="export-notice">{notice}</p> : null}
      {progress ? (
        <div className="export-progress" data-testid="export-progress">
          <progress value={progress.done} max={Math.max(1, progress.total)} aria-label="Export progress" /> <span className="muted">{progress.text}</span>
          {zipInProgress ? (
            <button type="button" onClick={() => zipInProgress.abort()}>
              Cancel
            </button>
          ) : null}
        </div>
      ) : null}

      <h2>Runs</h2>
      {runs === null ? <p className="muted">Reading runs…</p> : runs.length === 0 ? <p className="muted">No training runs yet: start one on the Train page.</p> : null}
      <ul className="export-runs">
        {(runs ?? []).map((run) => {
          const stem = fileStem(run.name);
          const cps = (['best', 'latest'] as const).filter((c) => run.checkpoints[c]);
          return (
            <li key={run.id} data-testid="export-run">
              <strong>{run.name}</strong>{' '}
              <span className="muted">
                {run.config.method}, {run.status}, step {run.step} of {run.totalSteps}
                {run.best ? `, best eval loss ${run.best.eval_loss.toFixed(3)} at step ${run.best.step}` : ''}
              </span>
              <div className="export-row" role="group" aria-label={`Model files of ${run.name}`}>
                <span className="export-row-label">Model</span>
                {cps.length === 0 ? <span className="muted">no checkpoint yet</span> : null}
                {run.config.method !== 'full'
                  ? cps.map((c) => (
                      <button key={`a-${c}`} type="button" disabled={working} onClick={() => void adapterZip(run, c)}>
                        Adapter zip ({c}, step {run.checkpoints[c]!.step})
                      </button>
                    ))
                  : null}
                {cps.map((c) => (
                  <button key={`m-${c}`} type="button" disabled={working} onClick={() => void mergedZip({ kind: 'run', runId: run.id, checkpoint: c }, `${stem}-${c}`)}>
                    {run.config.method === 'full' ? 'Model zip' : 'Merged model zip'} ({c}, step {run.checkpoints[c]!.step})
                  </button>
                ))}
              </div>
              <div className="export-row" role="group" aria-label={`Report of ${run.name}`}>
                <span className="export-row-label">Report</span>
                <button type="button" disabled={working} onClick={() => void report(run, 'csv')}>Metrics CSV</button>
                <button type="button" disabled={working} onClick={() => void report(run, 'json')}>Report JSON</button>
                <button type="button" disabled={working} onClick={() => void report(run, 'svg')}>Loss chart SVG</button>
                <button type="button" disabled={working} onClick={() => void report(run, 'png')}>Loss chart PNG</button>
              </div>
              <details className="export-evals">
                <summary>Generation evaluations</summary>
                <StoredEvaluations runId={run.id} />
              </details>
            </li>
          );
        })}
      </ul>

      <RayBundleExport />

      <h2>Import a PEFT adapter</h2>
      <p className="muted">
        A LoRA adapter as Hugging Face PEFT saves it (adapter_config.json and adapter_model.safetensors, optionally its tokenizer files), as a zip or a
        folder. It is kept in this browser; in the Playground, “Answer with” then offers it on the loaded model, which must be its base, and “Continue training” opens the Train page
        with it chosen to start from.
      </p>
      <div className="inline-form">
        <label>
          Adapter zip{' '}
          <input
            type="file"
            accept=".zip,application/zip"
            disabled={working}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void importZip(f);
            }}
          />
        </label>
        <label>
          Adapter folder{' '}
          <input
            type="file"
            disabled={working}
            webkitdirectory=""
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length) void importFolder(files);
            }}
          />
        </label>
      </div>
      {adapters.length === 0 ? <p className="muted">No adapters imported yet.</p> : null}
      <ul className="export-runs">
        {adapters.map((a) => (
          <li key={a.id} data-testid="imported-adapter">
            <strong>{a.label}</strong>{' '}
            <span className="muted">
              r {a.r}, alpha {a.alpha}
              {a.base ? `, base ${a.base}` : ''}, {Object.keys(a.files).length} files, imported {new Date(a.importedAt).toLocaleString()}
            </span>
            <div className="export-row">
              <button type="button" disabled={working} onClick={() => continueTraining(a)}>
                Continue training
              </button>
              <button type="button" disabled={working} onClick={() => void mergedZip({ kind: 'adapter', id: a.id, label: a.label, files: a.files }, fileStem(a.label))}>
                Merged model zip (on the loaded model)
              </button>
              <button
                type="button"
                disabled={working}
                onClick={() =>
                  void act(`delete-${a.id}`, async () => {
                    await deleteAdapter(a.id);
                    await refreshAdapters();
                    await useAnswerWith.getState().refresh();
                  })
                }
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
