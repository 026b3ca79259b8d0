// The page's door to the run methods: the comlink worker, with event callbacks wrapped in Comlink.proxy and every
// rejection turned into an EngineCallError that carries the engine's error kind.
import * as Comlink from 'comlink';
import type { RunApi } from '../../engine/run-api';
import { engineCall, engineClient } from '../engine-client';

export type TrainEngine = Pick<RunApi, 'planRun' | 'startRun' | 'resumeRun' | 'pauseRun' | 'cancelRun' | 'listRuns' | 'getRun' | 'runMetrics' | 'deleteRun' | 'activeRun' | 'exportRunAdapter'>;

export function pageTrainEngine(): TrainEngine {
  const remote = engineClient();
  return {
    planRun: (spec) => engineCall(remote.planRun(spec)),
    startRun: (spec, onEvent) => engineCall(remote.startRun(spec, onEvent && Comlink.proxy(onEvent))),
    resumeRun: (runId, onEvent, options) => engineCall(remote.resumeRun(runId, onEvent && Comlink.proxy(onEvent), options)),
    pauseRun: (runId) => engineCall(remote.pauseRun(runId)),
    cancelRun: (runId) => engineCall(remote.cancelRun(runId)),
    listRuns: () => engineCall(remote.listRuns()),
    getRun: (runId) => engineCall(remote.getRun(runId)),
    runMetrics: (runId) => engineCall(remote.runMetrics(runId)),
    deleteRun: (runId) => engineCall(remote.deleteRun(runId)),
    activeRun: () => engineCall(remote.activeRun()),
    exportRunAdapter: (runId, checkpoint) => engineCall(remote.exportRunAdapter(runId, checkpoint)),
  };
}
