// The page's door to what a sweep needs from the engine worker: the run methods the queue drives, and the ones its
// exact-match column evaluates with (the run's held-out rows, stored evaluations, generation with a run checkpoint).
import * as Comlink from 'comlink';
import type { ExactMatchApi } from '../../experiments/exact-match';
import type { SweepRunApi } from '../../experiments/queue';
import { engineCall, engineClient } from '../engine-client';
import { pageTrainEngine } from '../train/run-client';

export type SweepEngine = SweepRunApi & ExactMatchApi;

export function pageSweepEngine(): SweepEngine {
  const remote = engineClient();
  return {
    ...pageTrainEngine(),
    runEvalRows: (runId) => engineCall(remote.runEvalRows(runId)),
    runEvaluations: (runId) => engineCall(remote.runEvaluations(runId)),
    evaluateGeneration: (request, onProgress) => engineCall(remote.evaluateGeneration(request, onProgress && Comlink.proxy(onProgress))),
  };
}
