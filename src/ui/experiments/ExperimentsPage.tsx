import { useEffect } from 'react';
import { BuilderPanel } from './BuilderPanel';
import { useExperiments } from './experiments-slice';
import { QueuePanel } from './QueuePanel';
import { RecommenderPanel } from './RecommenderPanel';
import { ResultsPanel } from './ResultsPanel';
import { importSweep } from './sweep-import';
import './experiments.css';

/** Experiments: the paper's sweeps and ablation as a persistent queue, their tables and figures, and a recommender. */
export function ExperimentsPage() {
  const { loaded, load, entries, results, imported, setImported, error, setError } = useExperiments();
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
    <section className="page experiments-page" data-testid="page-experiments">
      <h1>Experiments</h1>
      <p className="muted intro">
        Rank x alpha sweeps and the label-only ablation of the Distilling Step-by-Step paper: one training run per configuration, one after
        another in the engine worker, kept across reloads, then compared in a leaderboard (Table 3), an ablation table (Table 4), a quad
        chart (Figure 6) and a heatmap (Figure 7).
      </p>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <BuilderPanel />
      <QueuePanel />
      {results.length ? <ResultsPanel rows={results} title="Results of this sweep" /> : entries.length === 0 && !imported ? (
        <section className="panel" aria-label="Results">
          <h2>Results</h2>
          <p className="muted">No results yet. Start a sweep above, or import one made by <code>npm run cli -- sweep</code> below: each configuration's row appears here when it finishes.</p>
        </section>
      ) : null}
      <section className="panel" aria-labelledby="import-title">
        <h2 id="import-title">Import a sweep</h2>
        <label className="field">
          <span>A SWEEP_DIR as a zip, or its results.json (from npm run cli -- sweep or ablation)</span>
          <input type="file" accept=".zip,.json" onChange={(e) => void onImport(e.target.files?.[0])} />
        </label>
      </section>
      {imported ? <ResultsPanel rows={imported.rows} title={`Imported: ${imported.name}`} /> : null}
      <RecommenderPanel rows={[...results, ...(imported?.rows ?? [])]} />
    </section>
  );
}
