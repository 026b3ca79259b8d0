import { formatBytes } from '../format';
import { useTrain } from './use-train';

/** How much this site stores (runs, checkpoints, datasets, cached models) and whether the browser may evict it. */
export function StorageBar() {
  const storage = useTrain((s) => s.storage);
  if (!storage) return null;
  return (
    <p className="storage-bar small" data-testid="storage-bar">
      {storage.usage !== null && storage.quota !== null ? (
        <>
          Storage used by this site: {formatBytes(storage.usage)} of {formatBytes(storage.quota)} available (runs, checkpoints, datasets and cached models; the browser’s estimate).{' '}
        </>
      ) : (
        <>This browser does not report storage use. </>
      )}
      {storage.persisted ? (
        <span>Persistent: the browser will not evict it.</span>
      ) : (
        <>
          <span>Not persistent: the browser may evict it when space runs low. </span>
          <button type="button" onClick={() => void useTrain.getState().requestPersistence()}>
            Request persistent storage
          </button>
        </>
      )}
    </p>
  );
}
