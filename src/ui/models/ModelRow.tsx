import { formatBytes } from '../format';
import { useStudio } from '../store';
import { formatCount, modelMemory } from './memory-rows';
import { useModels } from './use-models';

/** One hub model: cached badge, parameters, estimates per method, warnings, Load and Remove. */
export function ModelRow({ id }: { id: string }) {
  const entry = useModels((s) => s.entries.find((e) => e.id === id));
  const cached = useModels((s) => s.cachedIds.includes(id));
  const busy = useModels((s) => s.load !== null);
  const budgetGiB = useModels((s) => s.settings.budgetGiB);
  const maxBufferSize = useStudio((s) => s.gpuInfo?.limits.maxBufferSize);
  if (!entry) return null;
  const memory = entry.config ? modelMemory(entry.config, { maxBufferSize, budgetBytes: budgetGiB * 2 ** 30 }) : null;
  return (
    <>
      <tr data-testid={`model-row-${id}`}>
        <td>
          <span className="model-id">{id}</span>{' '}
          {cached ? (
            <span className="badge cached" data-testid="cached-badge" title="All files are in this browser's hub cache: loads offline">
              cached
            </span>
          ) : null}
        </td>
        <td>{memory ? formatCount(memory.parameterCount) : entry.status === 'fetching' ? 'reading config…' : '—'}</td>
        {memory
          ? memory.rows.map((r) => (
              <td key={r.method} className={r.overBudget ? 'over-budget' : undefined}>
                {formatBytes(r.estimate.total)}
              </td>
            ))
          : [0, 1, 2].map((i) => <td key={i}>—</td>)}
        <td>
          <div className="row-actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void useModels.getState().loadHub(id)}>
              Load
            </button>
            {!entry.builtIn ? (
              <button type="button" onClick={() => useModels.getState().removeId(id)} aria-label={`Remove ${id}`}>
                Remove
              </button>
            ) : null}
          </div>
        </td>
      </tr>
      {entry.error || (memory && memory.warnings.length > 0) ? (
        <tr className="row-notes">
          <td colSpan={6}>
            {entry.error ? <p className="error">{entry.error}</p> : null}
            {memory?.warnings.map((w) => (
              <p key={w} className="warning" data-testid="memory-warning">
                ⚠ {w}
              </p>
            ))}
          </td>
        </tr>
      ) : null}
    </>
  );
}
