import { formatBytes } from '../../experiments/recommend';
import { useExperiments } from './experiments-slice';

/** The queue: each configuration's status, the live run's step, pause / resume, reorder and cancel. */
export function QueuePanel() {
  const { entries, running, live, kind, resume, pause, cancel, move, clear } = useExperiments();
  if (entries.length === 0) return null;
  const unfinished = entries.some((e) => e.status === 'pending' || e.status === 'running' || e.status === 'paused');
  return (
    <section className="panel" aria-labelledby="queue-title">
      <h2 id="queue-title">Queue ({kind})</h2>
      <div className="start-row">
        {running ? <button type="button" onClick={() => void pause()}>Pause sweep</button> : unfinished ? <button type="button" className="primary" onClick={() => void resume()}>Resume sweep</button> : null}
        {!running ? <button type="button" onClick={() => void clear()}>Clear</button> : null}
        {live ? <span role="progressbar" aria-valuemin={0} aria-valuemax={live.total} aria-valuenow={live.step}>{live.id}: step {live.step}/{live.total}</span> : null}
      </div>
      <table className="compact" data-testid="sweep-queue">
        <thead><tr><th>#</th><th>run</th><th>status</th><th /></tr></thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={e.trial.id}>
              <td>{i + 1}</td>
              <td>{e.trial.id}</td>
              <td>{e.status}{e.status === 'does-not-fit' && e.memory ? ` (estimate ${formatBytes(e.memory.estimate.total)})` : ''}{e.error ? ` (${e.error})` : ''}</td>
              <td>
                {e.status === 'pending' ? (
                  <>
                    <button type="button" aria-label={`Move ${e.trial.id} up`} onClick={() => void move(e.trial.id, -1)}>↑</button>
                    <button type="button" aria-label={`Move ${e.trial.id} down`} onClick={() => void move(e.trial.id, 1)}>↓</button>
                  </>
                ) : null}
                {e.status === 'pending' || e.status === 'running' || e.status === 'paused' ? <button type="button" onClick={() => void cancel(e.trial.id)}>Cancel</button> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
