import { useEffect, useState } from 'react';
import { DatasetPicker } from './DatasetPicker';
import { DatasetStats } from './DatasetStats';
import { ExportButtons } from './ExportButtons';
import { ImportDialog } from './ImportDialog';
import { useImportJob } from './import-job';
import { useDatasets } from './datasets-slice';
import { LengthHistograms } from './LengthHistograms';
import { pageDatasetStore } from './open-store';
import { RowsView } from './RowsView';
import { seedSample } from './sample-loader';
import { TeacherPanel } from './TeacherPanel';
import './datasets.css';

const TABS = [
  ['rows', 'Rows'],
  ['stats', 'Statistics'],
  ['teacher', 'Teacher'],
] as const;
type Tab = (typeof TABS)[number][0];

/** Datasets: build a Distilling Step-by-Step dataset: questions, teacher rationales and Query DSL labels. */
export function DatasetsPage() {
  const status = useDatasets((s) => s.status);
  const message = useDatasets((s) => s.message);
  const hasDataset = useDatasets((s) => s.current !== null);
  const [tab, setTab] = useState<Tab>('rows');
  const [importing, setImporting] = useState(false);
  // An import started before the page was left is still running (or finished): show it again.
  const hasImport = useImportJob((s) => s.job !== null);

  useEffect(() => {
    if (useDatasets.getState().status !== 'idle') return;
    pageDatasetStore()
      .then((store) => useDatasets.getState().init(store, seedSample))
      .catch((e) => useDatasets.setState({ status: 'error', message: `Could not open IndexedDB: ${e instanceof Error ? e.message : String(e)}` }));
  }, []);

  return (
    <section className="page datasets-page" data-testid="page-datasets" data-status={status}>
      <h1>Datasets</h1>
      <p className="muted">Build a Distilling Step-by-Step dataset: questions, teacher rationales and Query DSL labels.</p>
      {message ? <p className={status === 'error' ? 'error' : 'muted'} data-testid="datasets-message">{message}</p> : null}
      {hasDataset ? (
        <>
          <div className="datasets-toolbar">
            <DatasetPicker />
            <button type="button" onClick={() => setImporting(true)} disabled={importing || hasImport}>
              Import…
            </button>
            <ExportButtons />
          </div>
          {importing || hasImport ? <ImportDialog onClose={() => setImporting(false)} /> : null}
          <div className="tabs" role="tablist" aria-label="Dataset views">
            {TABS.map(([id, title]) => (
              <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => setTab(id)}>
                {title}
              </button>
            ))}
          </div>
          <div role="tabpanel">
            {tab === 'rows' ? <RowsView /> : null}
            {tab === 'stats' ? (
              <>
                <DatasetStats />
                <LengthHistograms />
              </>
            ) : null}
            {tab === 'teacher' ? <TeacherPanel /> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
