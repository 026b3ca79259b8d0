import { useEffect } from 'react';
import { BuilderPanel } from './BuilderPanel';
import { useExperiments } from './experiments-slice';
import { QueuePanel } from './QueuePanel';
import { RecommenderPanel } from './RecommenderPanel';
import { ResultsPanel } from './ResultsPanel';
import { importSweep } from './sweep-import';

/** Experiments: the paper's sweeps and ablation as a persistent queue, their tables and figures, and a recommender. */
export function ExperimentsPage() {
  const { loaded, load, results, imported, setImported, error, setError } = useExperiments();
  useEffect(() => {
    if (!loaded) void load().catch((e: Error) => setError(e.message));
  }, [loaded, load, setError]);
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    try {
      setImported({ name: file.name, rows: importSweep(new Uint8Array(await file.arrayBuffer()), file.name) });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="page" data-testid="page-experiments">
      <h1>Experiments</h1>
      <p className="muted">Rank x alpha sweeps and the label-only ablation, run one after another in the engine worker, compared in tables and charts.</p>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <BuilderPanel />
      <QueuePanel />
      <ResultsPanel rows={results} title="Results of this sweep" />
      <section className="panel" aria-labelledby="import-title">
        <h2 id="import-title">Import a sweep</h2>
        <label className="field">
          <span>SWEEP_DIR zip or results.json (from npm run cli -- sweep)</span>
          <input type="file" accept=".zip,.json" onChange={(e) => void onImport(e.target.files?.[0])} />
        </label>
      </section>
      {imported ? <ResultsPanel rows={imported.rows} title={`Imported: ${imported.name}`} /> : null}
      <RecommenderPanel rows={[...results, ...(imported?.rows ?? [])]} />
    </section>
  );
}
