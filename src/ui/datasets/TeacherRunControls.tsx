import { useTeacher } from './teacher-slice';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Run / cancel / resume, the progress bar with rate and ETA, token usage, and the run log. */
export function TeacherRunControls({ toAsk }: { toAsk: number }) {
  const running = useTeacher((s) => s.running);
  const progress = useTeacher((s) => s.progress);
  const outcome = useTeacher((s) => s.outcome);
  const logs = useTeacher((s) => s.logs);
  const start = useTeacher((s) => s.start);
  const cancel = useTeacher((s) => s.cancel);
  const resumable = !running && !!progress && progress.done < progress.total;
  return (
    <div className="teacher-run" data-testid="teacher-run">
      <div className="actions">
        <button type="button" className="primary" disabled={running || toAsk === 0} onClick={() => void start()}>
          {resumable ? 'Resume' : 'Run teacher'}
        </button>
        <button type="button" disabled={!running} onClick={cancel}>
          Cancel
        </button>
      </div>
      {progress ? (
        <div className="teacher-progress">
          <progress max={Math.max(1, progress.total)} value={progress.done} aria-label="Teacher progress" />
          <div className="small" data-testid="teacher-progress">
            {progress.done} / {progress.total} done ({progress.answered} answered, {progress.failed} failed, {progress.skipped} skipped) ·{' '}
            {running ? (
              // A rate and an ETA only describe a run in progress; a stopped run shows what it got done.
              <>
                {progress.perMinute.toFixed(1)} questions/min · ETA {progress.etaSeconds === null ? '—' : duration(progress.etaSeconds)} · {progress.inFlight} in flight ·{' '}
              </>
            ) : (
              <>{progress.done < progress.total ? 'stopped' : 'finished'} after {duration(progress.elapsedMs / 1000)} · </>
            )}
            {progress.retries} retries
          </div>
          <div className="small muted" data-testid="teacher-usage">
            Tokens: {progress.usage.promptTokens.toLocaleString()} prompt + {progress.usage.completionTokens.toLocaleString()} completion ={' '}
            {progress.usage.totalTokens.toLocaleString()} total
            {progress.usage.totalTokens === 0 && progress.done > 0 ? ' (the server reports no usage)' : ''}
          </div>
        </div>
      ) : null}
      {outcome ? (
        <p className="small" data-testid="teacher-outcome">
          {outcome}
        </p>
      ) : null}
      {logs.length ? (
        <details className="teacher-log">
          <summary>Log ({logs.length})</summary>
          <pre>{logs.join('\n')}</pre>
        </details>
      ) : null}
    </div>
  );
}
