import { formatBytes } from '../format';
import { CompareChart } from './CompareChart';
import { canResume, shownStatus } from './run-status';
import { resumeStored } from './launch';
import { StorageBar } from './StorageBar';
import { useTrain } from './use-train';

const when = (t: number) => new Date(t).toLocaleString();

/** Every stored run: status, best and final numbers; show one, compare two, resume, delete; the storage they use. */
export function RunsPanel() {
  const runs = useTrain((s) => s.runs);
  const loaded = useTrain((s) => s.runsLoaded);
  const activeRunId = useTrain((s) => s.activeRunId);
  const shownRunId = useTrain((s) => s.shownRunId);
  const compare = useTrain((s) => s.compare);
  const liveStep = useTrain((s) => s.lastStep?.step ?? 0);
  return (
    <section className="runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <StorageBar />
      {loaded && runs.length === 0 ? <p className="muted">No runs yet: the runs you start are stored in this browser (IndexedDB) with their checkpoints.</p> : null}
      {runs.length > 0 ? (
        <table className="runs-table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Model</th>
              <th>Method</th>
              <th>Status</th>
              <th>Steps</th>
              <th>Best eval loss</th>
              <th>Final train loss</th>
              <th>Peak GPU</th>
              <th>Compare</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const status = r.id === activeRunId ? 'running' : shownStatus(r, activeRunId);
              return (
                <tr key={r.id} data-testid="run-row" data-run-id={r.id} className={r.id === shownRunId ? 'shown' : ''}>
                  <td>
                    <button type="button" className="link" onClick={() => void useTrain.getState().showRun(r.id)} title={`started ${when(r.createdAt)}`}>
                      {r.name}
                    </button>
                  </td>
                  <td>{r.model.label}</td>
                  <td>{r.config.method === 'full' ? 'full' : `${r.config.method} r${r.config.lora.rank}`}</td>
                  <td>
                    <span className={`status-badge status-${status}`}>{status}</span>
                  </td>
                  <td>
                    {r.id === activeRunId ? Math.max(r.step, liveStep) : r.step} / {r.totalSteps}
                  </td>
                  <td>{r.best ? r.best.eval_loss.toFixed(4) : '—'}</td>
                  <td>{r.final?.loss != null ? r.final.loss.toFixed(4) : '—'}</td>
                  <td>{r.peakGpuBytes ? formatBytes(r.peakGpuBytes) : '—'}</td>
                  <td>
                    <input type="checkbox" aria-label={`Compare ${r.name}`} checked={compare.includes(r.id)} onChange={() => void useTrain.getState().toggleCompare(r.id)} />
                  </td>
                  <td className="row-actions">
                    {canResume(r, activeRunId) ? (
                      <button type="button" disabled={activeRunId !== null} onClick={() => void resumeStored(r)}>
                        Resume
                      </button>
                    ) : null}
                    <button
                      type="button"
                      aria-label={`Delete ${r.name}`}
                      disabled={r.id === activeRunId}
                      onClick={() => {
                        if (confirm(`Delete the run "${r.name}" with its checkpoints and metrics?`)) void useTrain.getState().deleteRun(r.id);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {compare.length === 2 ? <CompareChart a={compare[0]} b={compare[1]} /> : compare.length === 1 ? <p className="muted small">Tick a second run to compare their loss curves.</p> : null}
    </section>
  );
}
