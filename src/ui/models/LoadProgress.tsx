import { formatBytes } from '../format';
import { useModels } from './use-models';

/** The running load: one bar per downloaded file, then files read and tensors uploaded, with Cancel. */
export function LoadProgress() {
  const load = useModels((s) => s.load);
  if (!load) return null;
  return (
    <div className="load-progress" data-testid="load-progress" data-stage={load.stage} aria-live="polite">
      <h2>
        Loading {load.what}
        <button type="button" className="danger" data-testid="cancel-load" disabled={load.cancelling} onClick={() => void useModels.getState().cancelLoad()}>
          {load.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </h2>
      {load.stage === 'starting' ? <p className="muted">Listing files…</p> : null}
      {load.downloads.map((d) => (
        <div key={d.file} className="file-progress" data-testid="file-progress" data-file={d.file}>
          <span className="name">{d.file}</span>
          <progress value={d.loadedBytes} max={d.totalBytes ?? undefined} />
          <span className="muted small">
            {d.cached ? 'from cache' : `${formatBytes(d.loadedBytes)}${d.totalBytes !== undefined ? ` of ${formatBytes(d.totalBytes)}` : ''}`}
          </span>
        </div>
      ))}
      {load.read ? (
        <p className="muted small">
          Read {load.read.done} of {load.read.total} checkpoint files ({load.read.file})
        </p>
      ) : null}
      {load.upload ? (
        <div className="file-progress" data-testid="upload-progress">
          <span className="name">GPU upload</span>
          <progress value={load.upload.loadedBytes} max={load.upload.totalBytes || 1} />
          <span className="muted small">
            {load.upload.done} of {load.upload.total} tensors, {formatBytes(load.upload.loadedBytes)} of {formatBytes(load.upload.totalBytes)}
          </span>
        </div>
      ) : null}
    </div>
  );
}
