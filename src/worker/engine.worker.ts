// The browser host: the engine lives here, next to its GPU device; the page talks to it through comlink.
// Hub downloads go through Cache Storage (the same origin-wide cache the Models page badges and clears).
import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';
import { Engine } from '../engine/engine';
import { createBrowserGpu } from '../hosts/browser/gpu';
import { browserHubCache } from '../hosts/browser/hub-cache';
import { IdbAutotuneStore } from '../hosts/browser/autotune-store';
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

let engine: Promise<Engine> | null = null;
const ready = (): Promise<Engine> => {
  if (engine) return engine;
  const starting = createBrowserGpu().then(async (gpu) => {
    await tune(gpu);
    return new Engine(gpu, { hub: { cache: browserHubCache() } });
  });
  // A failure is not cached: the next call tries again (a lost or busy device may come back).
  starting.catch(() => {
    if (engine === starting) engine = null;
  });
  engine = starting;
  return starting;
};

// Each call waits for the device; a failure to get one rejects that call with a plain message.
const api: EngineApi = {
  gpuInfo: async () => (await ready()).gpuInfo(),
  memory: async () => (await ready()).memory(),
  selfTest: async () => (await ready()).selfTest(),
  takeErrors: async () => (await ready()).takeErrors(),
  loadModel: async (source, onProgress, loadId) => (await ready()).loadModel(source, onProgress, loadId),
  cancelLoad: async (loadId) => (await ready()).cancelLoad(loadId),
  unloadModel: async () => (await ready()).unloadModel(),
  loadedModel: async () => (await ready()).loadedModel(),
  generate: async (texts, options) => (await ready()).generate(texts, options),
};

Comlink.expose(api);
