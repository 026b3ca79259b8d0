import type { QueueEntry } from '../../experiments/queue';
import { formatBytes } from '../../experiments/recommend';
import { useExperiments } from './experiments-slice';

const UNFINISHED = ['pending', 'running', 'paused'];

/**
 * An entry's status in words: a run left "running" by a closed page is stopped until the queue runs again, unless
 * another tab runs the queue.
 */
function statusText(e: QueueEntry, running: boolean, elsewhere: boolean): { badge: string; text: string } {
  if (e.status === 'running' && elsewhere) return { badge: 'running', text: 'running in another tab' };
  if (e.status === 'running' && !running) return { badge: 'stopped', text: 'stopped (resumes from its checkpoint)' };
  if (e.status === 'pending') return { badge: 'pending', text: 'waiting' };
  if (e.status === 'does-not-fit') return { badge: e.status, text: `does not fit${e.memory ? ` (estimate ${formatBytes(e.memory.estimate.total)})` : ''}` };
  if (e.status === 'oom') return { badge: e.status, text: 'out of memory' };
  return { badge: e.status, text: e.status };
}

/** The queue: each configuration's status, the live run's step, pause / resume, reorder and cancel. */
export function QueuePanel() {
  const { entries, running, elsewhere, pausedByUser, live, evaluating, notice, kind, resume, pause, cancel, move, clear } = useExperiments();
  if (entries.length === 0) return null;
  const waiting = entries.findIndex((e) => UNFINISHED.includes(e.status));
  const finished = entries.filter((e) => !UNFINISHED.includes(e.status)).length;
  return (
    <section className="panel" aria-labelledby="queue-title">
      <h2 id="queue-title">Queue: {kind === 'ablation' ? 'ablation' : 'sweep'}, {finished} of {entries.length} finished</h2>
      {notice ? <p className="status-line" role="status" data-testid="sweep-notice">{notice}</p> : null}
      {elsewhere ? (
        <p className="warning" role="status" data-testid="sweep-elsewhere">
          Another tab of the studio is running this sweep: this tab follows its progress. Pause it there (or close that tab) to run,
          reorder or clear it here.
        </p>
      ) : !running && waiting >= 0 ? (
        <p className="muted">
          {pausedByUser ? 'Paused. ' : 'Stopped. '}"Resume sweep" continues with configuration {waiting + 1} of {entries.length}
          {entries[waiting].status === 'pending' ? '.' : ' from its latest checkpoint.'}
        </p>
      ) : null}
      <div className="start-row">
        {elsewhere ? null : running ? (
          <button type="button" onClick={() => void pause()}>Pause sweep</button>
        ) : waiting >= 0 ? (
          <button type="button" className="primary" onClick={() => void resume()}>Resume sweep</button>
        ) : null}
        {!running && !elsewhere ? <button type="button" onClick={() => void clear()}>Clear</button> : null}
        {live ? (
          <span className="live" role="progressbar" aria-label="Training" aria-valuemin={0} aria-valuemax={live.total} aria-valuenow={live.step}>
            <progress max={live.total} value={live.step} /> Training {live.id}: step {live.step} of {live.total}
          </span>
        ) : null}
        {evaluating ? (
          <span className="live" role="progressbar" aria-label="Exact match" aria-valuemin={0} aria-valuemax={evaluating.total} aria-valuenow={evaluating.done}>
            <progress max={evaluating.total || 1} value={evaluating.total ? evaluating.done : undefined} /> Measuring the exact match of {evaluating.id} on its eval rows
            {evaluating.total ? `: ${evaluating.done} of ${evaluating.total}` : '…'}
          </span>
        ) : null}
      </div>
      <div className="table-scroll">
        <table className="compact" data-testid="sweep-queue">
          <thead><tr><th className="num">#</th><th>configuration</th><th>status</th><th aria-label="actions" /></tr></thead>
          <tbody>
            {entries.map((e, i) => {
              const s = statusText(e, running, elsewhere);
              return (
                <tr key={e.trial.id}>
                  <td className="num">{i + 1}</td>
                  <td>{e.trial.id}</td>
                  <td><span className={`badge badge-${s.badge}`}>{s.text}</span>{e.error ? <span className="muted small"> {e.error}</span> : null}</td>
                  <td className="actions">
                    {elsewhere ? null : e.status === 'pending' ? (
                      <>
                        <button type="button" aria-label={`Move ${e.trial.id} up`} disabled={i === 0} onClick={() => void move(e.trial.id, -1)}>↑</button>
                        <button type="button" aria-label={`Move ${e.trial.id} down`} disabled={i === entries.length - 1} onClick={() => void move(e.trial.id, 1)}>↓</button>
                      </>
                    ) : null}
                    {UNFINISHED.includes(e.status) && !elsewhere ? <button type="button" onClick={() => void cancel(e.trial.id)}>Cancel</button> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
