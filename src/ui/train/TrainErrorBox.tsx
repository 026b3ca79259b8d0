import { useTrain } from './use-train';
import type { TrainError } from './train-slice';
import { resumeStored } from './launch';

/** The last failure, with what a person can do about it, chosen by the error's kind. */
export function TrainErrorBox({ error }: { error: TrainError }) {
  const config = useTrain((s) => s.config);
  const runs = useTrain((s) => s.runs);
  const run = error.runId ? runs.find((r) => r.id === error.runId) : undefined;
  const dismiss = () => useTrain.getState().setError(null);
  const resumable = run && (run.status === 'interrupted' || run.status === 'paused');
  return (
    <div className={error.kind === 'cancelled' ? 'notice' : 'notice error-box'} role="alert" data-testid="train-error" data-kind={error.kind}>
      <p>{error.message}</p>
      {error.kind === 'out-of-memory' ? (
        <p>
          The GPU ran out of memory. Smaller batches, shorter max lengths or QLoRA (frozen weights in 4-bit NF4) need less.{' '}
          {config.batchSize > 1 ? (
            <button type="button" onClick={() => useTrain.getState().setConfig({ batchSize: Math.max(1, Math.floor(config.batchSize / 2)) })}>
              Halve the batch size ({config.batchSize} → {Math.max(1, Math.floor(config.batchSize / 2))})
            </button>
          ) : null}{' '}
          {config.method !== 'qlora' ? (
            <button type="button" onClick={() => useTrain.getState().setConfig({ method: 'qlora' })}>
              Switch to QLoRA
            </button>
          ) : null}
        </p>
      ) : null}
      {error.kind === 'device-lost' ? (
        <p>
          The GPU device was lost (a driver reset, or the browser reclaimed it). The run stopped at its last checkpoint and can go on from there.{' '}
          {resumable && run ? (
            <button type="button" onClick={() => void resumeStored(run)}>
              Resume
            </button>
          ) : null}
        </p>
      ) : null}
      {error.kind === 'storage-full' ? <p>Free space by deleting runs or datasets you no longer need (the Runs list shows the storage used), or allow persistent storage; then resume the run from its previous checkpoint.</p> : null}
      {error.kind === 'busy' ? <p>One run trains at a time here, and a run training in another tab of this studio stays with that tab: pause or cancel it where it runs.</p> : null}
      <button type="button" className="link" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
