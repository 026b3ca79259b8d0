import { useStudio } from '../store';
import { useImportJob } from './import-job';

/** In the navigation, on every page: a running or finished import that was left behind on the Datasets page. */
export function ImportStatus() {
  const job = useImportJob((s) => s.job);
  const onDatasets = useStudio((s) => s.page === 'datasets');
  if (!job || onDatasets) return null;
  const { progress } = job;
  const total = progress?.total ?? job.fileSize;
  const percent = total > 0 ? Math.floor((100 * (progress?.consumed ?? 0)) / total) : 0;
  const text =
    job.phase === 'parsing' ? `Importing ${job.fileName}: ${percent}% · ${progress?.rows ?? 0} rows`
    : job.phase === 'saving' ? `Importing ${job.fileName}: saving…`
    : job.phase === 'done' ? `Imported ${job.added} rows from ${job.fileName}`
    : job.phase === 'cancelled' ? `Import of ${job.fileName} cancelled`
    : `Import of ${job.fileName} failed`;
  return (
    <button type="button" className="import-status" data-testid="import-status" data-phase={job.phase} title="Open the import report on the Datasets page" onClick={() => useStudio.getState().goTo('datasets')}>
      {text}
    </button>
  );
}
