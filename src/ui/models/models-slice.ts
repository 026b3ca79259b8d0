// The Models page state: the list of hub models (defaults plus ids a person added, each with its config for the
// memory estimate), hub settings, which ids are cached, the running load's progress, the loaded model's summary
// and the "try it" generations. Its own zustand store; the engine, storage and cache come in as deps so the same
// slice runs in the page (comlink worker, localStorage, Cache Storage) and in Node tests (an in-thread Engine).
import { asEngineError } from '../engine-client';
import { create } from 'zustand';
import type { EngineApi, GenerateRequestOptions, LoadReport, ModelSource, ModelSummary, PathedFile, T5Config } from '../../engine/api';
import { checkHubId } from '../../settings/hub';
import { DEFAULT_MODEL_IDS, T5_PRESETS } from '../../settings/models';
import { cachedModelIds } from './cache-status';
import { type KeyValueStore, type ModelSettings, loadModelSettings, normalizeBaseUrl, saveModelSettings } from './model-settings';

export type ModelsEngine = Pick<EngineApi, 'loadModel' | 'cancelLoad' | 'unloadModel' | 'loadedModel' | 'generate'>;

export interface ModelsDeps {
  engine(): ModelsEngine;
  storage(): KeyValueStore | null;
  /** URLs held by the hub cache, and forgetting them all. */
  hubCache: { cachedUrls(): Promise<string[]>; clear(): Promise<void> };
  /** config.json of a hub model that is not a preset (for its estimate). */
  fetchConfig(id: string, baseUrl: string): Promise<T5Config>;
}

export interface ModelEntry {
  id: string;
  /** One of DEFAULT_MODEL_IDS (cannot be removed). */
  builtIn: boolean;
  config: T5Config | null;
  status: 'ready' | 'fetching' | 'error';
  error: string | null;
}

export interface FileProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number | undefined;
  cached: boolean;
}

export interface LoadState {
  loadId: string;
  /** "hub google/flan-t5-small", "folder flan-t5-small" */
  what: string;
  stage: LoadReport['stage'] | 'starting';
  /** Hub downloads in the order they started. */
  downloads: FileProgress[];
  /** Checkpoint files read, and tensors uploaded: the last report of each stage. */
  read: { done: number; total: number; file: string } | null;
  upload: { done: number; total: number; loadedBytes: number; totalBytes: number; file: string } | null;
  cancelling: boolean;
}

export interface ModelsState {
  settings: ModelSettings;
  entries: ModelEntry[];
  cachedIds: string[];
  load: LoadState | null;
  loaded: ModelSummary | null;
  /** The last thing that went wrong or finished, in words a person can act on. */
  message: { kind: 'error' | 'info'; text: string } | null;
  generating: boolean;
  outputs: string[] | null;
  generateError: string | null;
}

export interface ModelsActions {
  /** Read the settings, fill configs, find cached ids, and ask the engine what is loaded. */
  init(): Promise<void>;
  setBaseUrl(input: string): Promise<void>;
  setBudgetGiB(gib: number): void;
  addId(input: string): Promise<void>;
  removeId(id: string): void;
  loadHub(id: string): Promise<void>;
  loadFiles(files: PathedFile[], label?: string): Promise<void>;
  cancelLoad(): Promise<void>;
  unload(): Promise<void>;
  refreshCached(): Promise<void>;
  clearCache(): Promise<void>;
  generate(text: string, options: GenerateRequestOptions): Promise<void>;
}

export type ModelsSlice = ModelsState & ModelsActions;

let loadCounter = 0;

export function createModelsStore(deps: ModelsDeps) {
  return create<ModelsSlice>()((set, get) => {
    const save = (patch: Partial<ModelSettings>) => {
      const settings = { ...get().settings, ...patch };
      saveModelSettings(deps.storage(), settings);
      set({ settings });
      return settings;
    };
    const entryFor = (id: string): ModelEntry => {
      const preset = T5_PRESETS[id];
      return { id, builtIn: (DEFAULT_MODEL_IDS as readonly string[]).includes(id), config: preset ?? null, status: preset ? 'ready' : 'fetching', error: null };
    };
    const patchEntry = (id: string, patch: Partial<ModelEntry>) =>
      set((s) => ({ entries: s.entries.map((e) => (e.id === id ? { ...e, ...patch } : e)) }));
    const fetchConfig = async (id: string) => {
      const baseUrl = get().settings.baseUrl;
      patchEntry(id, { status: 'fetching', error: null });
      try {
        const config = await deps.fetchConfig(id, baseUrl);
        if (get().settings.baseUrl === baseUrl) patchEntry(id, { config, status: 'ready' });
      } catch (e) {
        if (get().settings.baseUrl === baseUrl) patchEntry(id, { status: 'error', error: asEngineError(e).message });
      }
    };
    const fetchMissingConfigs = () => Promise.all(get().entries.filter((e) => !T5_PRESETS[e.id]).map((e) => fetchConfig(e.id)));

    const run = async (source: ModelSource, what: string) => {
      if (get().load) return;
      const loadId = `models-${Date.now()}-${++loadCounter}`;
      set({ load: { loadId, what, stage: 'starting', downloads: [], read: null, upload: null, cancelling: false }, message: null });
      const onProgress = (r: LoadReport) => {
        const load = get().load;
        if (!load || load.loadId !== r.loadId) return;
        const next: LoadState = { ...load, stage: r.stage };
        if (r.stage === 'download') {
          const file: FileProgress = { file: r.file, loadedBytes: r.loadedBytes, totalBytes: r.totalBytes, cached: r.cached };
          const at = load.downloads.findIndex((d) => d.file === r.file);
          next.downloads = at < 0 ? [...load.downloads, file] : load.downloads.map((d, i) => (i === at ? file : d));
        } else if (r.stage === 'read') {
          next.read = { done: r.done, total: r.total, file: r.file };
        } else {
          next.upload = { done: r.done, total: r.total, loadedBytes: r.loadedBytes, totalBytes: r.totalBytes ?? 0, file: r.file };
        }
        set({ load: next });
      };
      const engine = deps.engine();
      try {
        const summary = await engine.loadModel(source, onProgress, loadId);
        set({ loaded: summary, outputs: null, generateError: null, message: { kind: 'info', text: `Loaded ${summary.label} in ${(summary.loadMillis / 1000).toFixed(1)} s.` } });
      } catch (e) {
        const text = asEngineError(e).message;
        set({ message: text === 'load cancelled' ? { kind: 'info', text: `Cancelled loading ${what}.` } : { kind: 'error', text } });
        // A load that failed after reading its files has already freed the previous model.
        set({ loaded: await engine.loadedModel().catch(() => get().loaded) });
      } finally {
        set({ load: null });
        if (source.kind === 'hub') void get().refreshCached();
      }
    };

    return {
      settings: loadModelSettings(null),
      entries: DEFAULT_MODEL_IDS.map(entryFor),
      cachedIds: [],
      load: null,
      loaded: null,
      message: null,
      generating: false,
      outputs: null,
      generateError: null,

      async init() {
        const settings = loadModelSettings(deps.storage());
        const ids = [...DEFAULT_MODEL_IDS, ...settings.customIds.filter((id) => !(DEFAULT_MODEL_IDS as readonly string[]).includes(id))];
        set({ settings, entries: ids.map(entryFor) });
        const loaded = await deps.engine().loadedModel().catch(() => null);
        set({ loaded });
        await Promise.all([get().refreshCached(), fetchMissingConfigs()]);
      },

      async setBaseUrl(input) {
        let baseUrl: string;
        try {
          baseUrl = normalizeBaseUrl(input);
        } catch (e) {
          set({ message: { kind: 'error', text: asEngineError(e).message } });
          return;
        }
        save({ baseUrl });
        set({ message: null });
        await Promise.all([get().refreshCached(), fetchMissingConfigs()]);
      },

      setBudgetGiB(gib) {
        if (Number.isFinite(gib) && gib > 0) save({ budgetGiB: gib });
      },

      async addId(input) {
        const id = input.trim().replace(/^\/+|\/+$/g, '');
        try {
          checkHubId(id);
        } catch (e) {
          set({ message: { kind: 'error', text: asEngineError(e).message } });
          return;
        }
        if (get().entries.some((e) => e.id === id)) {
          set({ message: { kind: 'info', text: `${id} is already in the list.` } });
          return;
        }
        save({ customIds: [...get().settings.customIds, id] });
        set((s) => ({ entries: [...s.entries, entryFor(id)], message: null }));
        await Promise.all([T5_PRESETS[id] ? undefined : fetchConfig(id), get().refreshCached()]);
      },

      removeId(id) {
        if ((DEFAULT_MODEL_IDS as readonly string[]).includes(id)) return;
        save({ customIds: get().settings.customIds.filter((x) => x !== id) });
        set((s) => ({ entries: s.entries.filter((e) => e.id !== id) }));
      },

      loadHub(id) {
        return run({ kind: 'hub', id, baseUrl: get().settings.baseUrl }, `hub ${id}`);
      },

      loadFiles(files, label) {
        if (files.length === 0) {
          set({ message: { kind: 'error', text: 'No files were picked: choose a checkpoint folder (config.json, tokenizer.json, model.safetensors).' } });
          return Promise.resolve();
        }
        const folder = label ?? (files[0].path.includes('/') ? files[0].path.split('/')[0] : 'picked files');
        return run({ kind: 'files', files, label }, `folder ${folder}`);
      },

      async cancelLoad() {
        const load = get().load;
        if (!load) return;
        set({ load: { ...load, cancelling: true } });
        await deps.engine().cancelLoad(load.loadId);
      },

      async unload() {
        try {
          await deps.engine().unloadModel();
          set({ loaded: null, outputs: null, message: { kind: 'info', text: 'Model unloaded; its GPU memory is free.' } });
        } catch (e) {
          set({ message: { kind: 'error', text: asEngineError(e).message } });
        }
      },

      async refreshCached() {
        try {
          const urls = await deps.hubCache.cachedUrls();
          set({ cachedIds: cachedModelIds(urls, get().entries.map((e) => e.id), get().settings.baseUrl) });
        } catch {
          set({ cachedIds: [] }); // no Cache Storage (e.g. an insecure origin): nothing is cached
        }
      },

      async clearCache() {
        try {
          await deps.hubCache.clear();
          set({ message: { kind: 'info', text: 'Cleared the hub cache: the next load downloads again.' } });
        } catch (e) {
          set({ message: { kind: 'error', text: `Could not clear the hub cache: ${asEngineError(e).message}` } });
        }
        await get().refreshCached();
      },

      async generate(text, options) {
        if (get().generating) return;
        set({ generating: true, generateError: null });
        try {
          const outputs = await deps.engine().generate([text], options);
          set({ outputs });
        } catch (e) {
          set({ generateError: asEngineError(e).message, outputs: null });
        } finally {
          set({ generating: false });
        }
      },
    };
  });
}

export type ModelsStore = ReturnType<typeof createModelsStore>;
