// The browser host: the engine lives here, next to its GPU device; the page talks to it through comlink.
// Hub downloads go through Cache Storage (the same origin-wide cache the Models page badges and clears).
import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';
import { Engine } from '../engine/engine';
import { createBrowserGpu } from '../hosts/browser/gpu';
import { browserHubCache } from '../hosts/browser/hub-cache';
import { IdbAutotuneStore } from '../hosts/browser/autotune-store';
import { createAutotuner } from '../gpu/autotune';

let engine: Promise<Engine> | null = null;
const ready = (): Promise<Engine> =>
  (engine ??= createBrowserGpu().then(async (gpu) => {
    // Kernel variants chosen per adapter by timed trials, remembered in IndexedDB across visits.
    await createAutotuner(gpu, new IdbAutotuneStore());
    return new Engine(gpu, { hub: { cache: browserHubCache() } });
  }));

// Each call waits for the device; a failure to get one rejects every call with the same plain message.
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
