// The page's Models store: the comlink engine (progress callbacks wrapped in Comlink.proxy), localStorage, and the
// Cache Storage the worker downloads into. Nothing runs at import: the worker starts on the first engine call.
import * as Comlink from 'comlink';
import { HUB_CACHE_NAME, clearBrowserHubCache } from '../../hosts/browser/hub-cache';
import { fetchHubConfig } from '../../hosts/browser/hub-config';
import { engineClient } from '../engine-client';
import { type ModelsEngine, createModelsStore } from './models-slice';

function pageEngine(): ModelsEngine {
  const remote = engineClient();
  return {
    loadModel: (source, onProgress, loadId) => remote.loadModel(source, onProgress && Comlink.proxy(onProgress), loadId),
    cancelLoad: (loadId) => remote.cancelLoad(loadId),
    unloadModel: () => remote.unloadModel(),
    loadedModel: () => remote.loadedModel(),
    generate: (texts, options) => remote.generate(texts, options),
  };
}

export const useModels = createModelsStore({
  engine: pageEngine,
  storage: () => (typeof localStorage === 'undefined' ? null : localStorage),
  hubCache: {
    async cachedUrls() {
      if (typeof caches === 'undefined') return [];
      const cache = await caches.open(HUB_CACHE_NAME);
      return (await cache.keys()).map((r) => r.url);
    },
    async clear() {
      await clearBrowserHubCache();
    },
  },
  fetchConfig: fetchHubConfig,
});
