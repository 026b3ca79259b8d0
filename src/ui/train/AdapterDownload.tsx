import { useState } from 'react';
import type { RunRecord } from '../../engine/run-api';
import { download } from '../download';
import { fileStem } from '../export/run-report';
import { zipToBlob } from '../export/zip-stream';
import { asEngineError } from '../engine-client';
import { useTrain } from './use-train';
import { pageTrainEngine } from './run-client';

/** A LoRA/QLoRA run's PEFT adapter (config, weights, tokenizer) from its best or latest checkpoint, as one zip. */
export function AdapterDownload({ run }: { run: RunRecord }) {
  const [busy, setBusy] = useState(false);
  if (run.config.method === 'full' || !run.checkpoints.latest) return null;
  const get = async (checkpoint: 'best' | 'latest') => {
    setBusy(true);
    try {
      const files = await pageTrainEngine().exportRunAdapter(run.id, checkpoint);
      download(`${fileStem(run.name)}-${checkpoint}-adapter.zip`, await zipToBlob(files));
    } catch (e) {
      const err = asEngineError(e);
      useTrain.getState().setError({ kind: err.kind, message: err.message, runId: run.id });
    } finally {
      setBusy(false);
    }
  };
  return (
    <p className="small">
      PEFT adapter:{' '}
      {run.checkpoints.best ? (
        <button type="button" disabled={busy} onClick={() => void get('best')}>
          Download best (step {run.checkpoints.best.step})
        </button>
      ) : null}{' '}
      <button type="button" disabled={busy} onClick={() => void get('latest')}>
        Download latest (step {run.checkpoints.latest.step})
      </button>
    </p>
  );
}
