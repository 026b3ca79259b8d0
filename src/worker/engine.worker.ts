// The browser host: the engine lives here, next to its GPU device; the page talks to it through comlink.
// Hub downloads go through Cache Storage (the same origin-wide cache the Models page badges and clears); training
// runs, their metrics and checkpoints are kept in IndexedDB (hosts/browser/run-store).
import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';
import { Engine } from '../engine/engine';
import { toErrorData } from '../engine/errors';
import type { RunApi } from '../engine/run-api';
import type { RunStore } from '../engine/run-store';
import { createBrowserGpu } from '../hosts/browser/gpu';
import { browserHubCache } from '../hosts/browser/hub-cache';
import { webRunLocks } from '../hosts/browser/run-locks';
import { IdbAutotuneStore } from '../hosts/browser/autotune-store';
import { openIdbRunStore } from '../hosts/browser/run-store';
import { browserRayTemplates } from '../hosts/browser/ray-templates';
import { createAutotuner } from '../gpu/autotune';

/**
 * Kernel variants chosen per adapter by timed trials, remembered in IndexedDB across visits. Tuning only makes
 * kernels faster: when the store cannot be opened (private mode, blocked storage) it tunes without remembering,
 * and when that fails too the engine runs on the default variants.
 */
async function tune(gpu: Awaited<ReturnType<typeof createBrowserGpu>>): Promise<void> {
  try {
    await createAutotuner(gpu, new IdbAutotuneStore());
    return;
  } catch (e) {
    console.warn(`autotuner: cannot use its IndexedDB store (${(e as Error).message}); tuning without remembering`);
  }
  try {
    await createAutotuner(gpu);
  } catch (e) {
    console.warn(`autotuner: unavailable (${(e as Error).message}); using the default kernel variants`);
  }
}

/** Runs are stored in IndexedDB; without it (blocked storage) the engine still loads models, and the run methods say why they refuse. */
async function runStore(): Promise<RunStore | undefined> {
  try {
    return await openIdbRunStore();
  } catch (e) {
    console.warn(`runs: cannot open their IndexedDB store (${(e as Error).message}); training runs are unavailable`);
    return undefined;
  }
}

let engine: Promise<Engine> | null = null;
const ready = (): Promise<Engine> => {
  if (engine) return engine;
  const starting = createBrowserGpu().then(async (gpu) => {
    const [, store] = await Promise.all([tune(gpu), runStore()]);
    // Web Locks: a run trains in one tab at a time; the others see it as training elsewhere.
    const runLocks = typeof navigator !== 'undefined' && navigator.locks ? webRunLocks(navigator.locks) : undefined;
    return new Engine(gpu, { hub: { cache: browserHubCache() }, runStore: store, rayTemplates: browserRayTemplates, runLocks });
  });
  // A failure is not cached: the next call tries again (a lost or busy device may come back).
  starting.catch(() => {
    if (engine === starting) engine = null;
  });
  engine = starting;
  return starting;
};

/**
 * A run method: its failures cross to the page as plain EngineErrorData ({ kind, message }), since comlink passes a
 * thrown non-Error value through unchanged; the page (ui/engine-client) acts on the kind, never on the words.
 */
const run =
  <A extends unknown[], R>(method: (engine: Engine, ...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    try {
      return await method(await ready(), ...args);
    } catch (e) {
      throw toErrorData(e);
    }
  };

// Each call waits for the device; a failure to get one rejects that call with a plain message.
const api: EngineApi & RunApi = {
  gpuInfo: async () => (await ready()).gpuInfo(),
  memory: async () => (await ready()).memory(),
  selfTest: async () => (await ready()).selfTest(),
  takeErrors: async () => (await ready()).takeErrors(),
  loadModel: async (source, onProgress, loadId) => (await ready()).loadModel(source, onProgress, loadId),
  cancelLoad: async (loadId) => (await ready()).cancelLoad(loadId),
  unloadModel: async () => (await ready()).unloadModel(),
  loadedModel: async () => (await ready()).loadedModel(),
  generate: async (texts, options) => (await ready()).generate(texts, options),
  generateStream: run((e, text, options, onUpdate, genId) => e.generateStream(text, options, onUpdate, genId)),
  stopGeneration: run((e, genId) => e.stopGeneration(genId)),
  evaluateGeneration: run((e, request, onProgress) => e.evaluateGeneration(request, onProgress)),
  cancelGenerationEval: run((e, evalId) => e.cancelGenerationEval(evalId)),
  runEvaluations: run((e, runId) => e.runEvaluations(runId)),
  // Each chunk's buffer moves to the page rather than being copied (the engine never touches a chunk again).
  exportMergedModel: run((e, what, sink, onProgress) =>
    e.exportMergedModel(what, (chunk) => sink(Comlink.transfer(chunk, [chunk.bytes.buffer as ArrayBuffer])), onProgress)),
  exportRayBundle: run((e, what, options) => e.exportRayBundle(what, options)),
  planRun: run((e, spec) => e.planRun(spec)),
  startRun: run((e, spec, onEvent) => e.startRun(spec, onEvent)),
  resumeRun: run((e, runId, onEvent, options) => e.resumeRun(runId, onEvent, options)),
  pauseRun: run((e, runId) => e.pauseRun(runId)),
  cancelRun: run((e, runId) => e.cancelRun(runId)),
  listRuns: run((e) => e.listRuns()),
  getRun: run((e, runId) => e.getRun(runId)),
  runMetrics: run((e, runId) => e.runMetrics(runId)),
  runEvalRows: run((e, runId) => e.runEvalRows(runId)),
  deleteRun: run((e, runId) => e.deleteRun(runId)),
  activeRun: run((e) => e.activeRun()),
  exportRunAdapter: run((e, runId, checkpoint) => e.exportRunAdapter(runId, checkpoint)),
};

Comlink.expose(api);
