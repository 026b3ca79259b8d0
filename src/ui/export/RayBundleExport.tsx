import { useEffect, useState } from 'react';
import type { RayExportOptions, RayExportSource } from '../../engine/api';
import type { RunData, RunRecord } from '../../engine/run-api';
import type { SweepState } from '../../experiments/queue';
import { openIdbSweeps } from '../../hosts/browser/sweep-store';
import { download } from '../download';
import { asEngineError, engineCall, engineClient } from '../engine-client';
import { pageTrainEngine } from '../train/run-client';
import { fileStem } from './run-report';
import { zipToBlob } from './zip-stream';

/** A stored sweep with the rows its runs train on (without them it cannot be exported). */
interface SavedSweep {
  id: string;
  state: SweepState;
  data: RunData | null;
}

async function savedSweeps(): Promise<SavedSweep[]> {
  const db = await openIdbSweeps();
  const all = await db.list();
  return Promise.all(all.map(async ({ id, state }) => ({ id, state, data: await db.sweep(id).loadData() })));
}

/** Every configuration of the sweep, trained or not: a cluster can run the ones this GPU could not. */
function sweepSource(s: SavedSweep & { data: RunData }): RayExportSource {
  return { kind: 'sweep', name: s.id, data: s.data, configurations: s.state.entries.map(({ trial }) => ({ id: trial.id, model: trial.source, config: trial.config })) };
}

/**
 * The Export page's "Ray Train job": a run (or every configuration of a sweep) as the zip of the files `stepwise
 * export-ray` writes, built by the engine from the run's stored data and base tokenizer.
 */
export function RayBundleExport() {
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [sweeps, setSweeps] = useState<SavedSweep[]>([]);
  const [pick, setPick] = useState('');
  const [workers, setWorkers] = useState(1);
  const [gpus, setGpus] = useState(1);
  const [image, setImage] = useState('');
  const [status, setStatus] = useState<{ busy: boolean; text: string; error?: boolean } | null>(null);
  useEffect(() => {
    pageTrainEngine()
      .listRuns()
      .then(setRuns, (e) => setStatus({ busy: false, text: asEngineError(e).message, error: true }));
    savedSweeps().then(setSweeps, (e: Error) => console.warn(`Ray Train job: cannot read the saved sweeps (${e.message})`));
  }, []);
  const exportable = sweeps.filter((s): s is SavedSweep & { data: RunData } => s.data !== null && s.state.entries.length > 0);
  const chosen = pick || (runs[0] ? `run:${runs[0].id}` : exportable[0] ? `sweep:${exportable[0].id}` : '');
  const build = async () => {
    const [kind, id] = [chosen.slice(0, chosen.indexOf(':')), chosen.slice(chosen.indexOf(':') + 1)];
    const run = runs.find((r) => r.id === id);
    const sweep = exportable.find((s) => s.id === id);
    const what: RayExportSource | null = kind === 'run' && run ? { kind: 'run', runId: run.id } : kind === 'sweep' && sweep ? sweepSource(sweep) : null;
    if (!what) return;
    const stem = fileStem(kind === 'run' ? run!.name : `sweep-${id}`);
    const options: RayExportOptions = { workers, gpusPerWorker: gpus, ...(image.trim() ? { image: image.trim() } : {}) };
    setStatus({ busy: true, text: 'Building the Ray Train job (data split, token ids, tokenizer)…' });
    try {
      const files = await engineCall(engineClient().exportRayBundle(what, options));
      const blob = await zipToBlob(files, (p) => setStatus({ busy: true, text: `Zipping ${p.file}` }));
      download(`${stem}-ray-job.zip`, blob);
      setStatus({ busy: false, text: `${stem}-ray-job.zip: ${Object.keys(files).length} files; see README.md inside for ray job submit and KubeRay.` });
    } catch (e) {
      setStatus({ busy: false, text: asEngineError(e).message, error: true });
    }
  };
  const busy = status?.busy === true;
  const positive = (text: string) => Math.max(1, Math.floor(Number(text)) || 1);
  return (
    <section className="ray-export" aria-labelledby="ray-export-title" data-testid="ray-export">
      <h2 id="ray-export-title">Ray Train job</h2>
      <p className="muted">
        A run, or every configuration of a sweep, as a Ray Train job for a GPU cluster: the run's exact split with the token ids it trains on, its
        tokenizer and settings, the DSS loss in PyTorch, train_ray.py, pinned requirements, a KubeRay RayJob and a README. The adapter it writes
        imports back here.
      </p>
      {runs.length === 0 && exportable.length === 0 ? <p className="muted">No run or sweep to export yet.</p> : null}
      <div className="inline-form">
        <label>
          From{' '}
          <select value={chosen} disabled={busy} onChange={(e) => setPick(e.target.value)}>
            {runs.map((r) => (
              <option key={r.id} value={`run:${r.id}`}>
                Run {r.name} ({r.config.method})
              </option>
            ))}
            {exportable.map((s) => (
              <option key={s.id} value={`sweep:${s.id}`}>
                Sweep {s.id} ({s.state.entries.length} configurations)
              </option>
            ))}
          </select>
        </label>
        <label>
          Worker count <input type="number" min={1} step={1} value={workers} disabled={busy} onChange={(e) => setWorkers(positive(e.target.value))} />
        </label>
        <label>
          GPUs per worker <input type="number" min={1} step={1} value={gpus} disabled={busy} onChange={(e) => setGpus(positive(e.target.value))} />
        </label>
        <label>
          Image <input type="text" value={image} disabled={busy} placeholder="default: Ray's GPU image" onChange={(e) => setImage(e.target.value)} />
        </label>
        <button type="button" disabled={busy || !chosen} onClick={() => void build()}>
          Ray Train job
        </button>
      </div>
      {status ? (
        <p className={status.error ? 'error' : 'muted'} role={status.error ? 'alert' : 'status'} data-testid="ray-export-status">
          {status.text}
        </p>
      ) : null}
    </section>
  );
}
