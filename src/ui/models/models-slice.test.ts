// The Models slice driven by a real in-thread Engine on Dawn (the page uses the same API through comlink).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../hosts/node/engine';
import { hubFileUrl } from '../../settings/hub';
import { parseT5Config } from '../../model/config';
import { T5_PRESETS } from '../../settings/models';
import { FIXTURES } from '../../testing/checkpoint';
import { testGpu } from '../../testing/gpu';
import { cachedModelIds } from './cache-status';
import { SETTINGS_KEYS, loadModelSettings, normalizeBaseUrl } from './model-settings';
import { modelMemory } from './memory-rows';
import { type ModelsDeps, createModelsStore } from './models-slice';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const tinyFiles = () => readdirSync(TINY).map((name) => ({ file: new File([readFileSync(join(TINY, name))], name), path: `untied-gated/${name}` }));

function memoryStorage() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

async function setup(overrides: Partial<ModelsDeps> = {}) {
  const engine = createNodeEngine(await testGpu());
  const storage = memoryStorage();
  const fetched: string[] = [];
  const store = createModelsStore({
    engine: () => engine,
    storage: () => storage,
    hubCache: { cachedUrls: async () => [], clear: async () => undefined },
    async fetchConfig(id, baseUrl) {
      fetched.push(`${baseUrl} ${id}`);
      if (id === 'tiny/untied-gated') return parseT5Config(JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8')));
      throw new Error(`hub ${id}: config.json not found (HTTP 404) at ${hubFileUrl(id, 'config.json', baseUrl)}`);
    },
    ...overrides,
  });
  return { engine, storage, store, fetched };
}

describe('models slice', () => {
  it('lists the default models, persists the base URL and added ids, and fetches configs for unknown ids', async () => {
    const { store, storage, fetched } = await setup();
    await store.getState().init();
    expect(store.getState().entries.map((e) => e.id)).toEqual(['google/flan-t5-small', 'google/flan-t5-base']);
    expect(store.getState().entries.every((e) => e.config && e.builtIn)).toBe(true);
    await store.getState().setBaseUrl('not a url');
    expect(store.getState().message?.text).toMatch(/is not a URL/);
    await store.getState().setBaseUrl('http://127.0.0.1:9999/');
    expect(storage.m.get(SETTINGS_KEYS.baseUrl)).toBe('http://127.0.0.1:9999');
    await store.getState().addId('tiny/untied-gated');
    await store.getState().addId('google/flan-t5-large'); // a preset: no fetch
    await store.getState().addId('some/missing');
    await store.getState().addId('../etc');
    expect(store.getState().message?.text).toMatch(/not a hub model id/);
    expect(fetched).toEqual(['http://127.0.0.1:9999 tiny/untied-gated', 'http://127.0.0.1:9999 some/missing']);
    const byId = Object.fromEntries(store.getState().entries.map((e) => [e.id, e]));
    expect(byId['tiny/untied-gated']).toMatchObject({ status: 'ready', builtIn: false });
    expect(byId['tiny/untied-gated'].config?.d_model).toBe(32);
    expect(byId['google/flan-t5-large'].config).toEqual(T5_PRESETS['google/flan-t5-large']);
    expect(byId['some/missing']).toMatchObject({ status: 'error', error: expect.stringContaining('HTTP 404') });
    store.getState().removeId('some/missing');
    store.getState().removeId('google/flan-t5-small'); // built in: stays
    expect(JSON.parse(storage.m.get(SETTINGS_KEYS.customIds)!)).toEqual(['tiny/untied-gated', 'google/flan-t5-large']);

    // A fresh page reads the same settings back.
    const again = (await setup({ storage: () => storage })).store;
    await again.getState().init();
    expect(again.getState().settings.baseUrl).toBe('http://127.0.0.1:9999');
    expect(again.getState().entries.map((e) => e.id)).toEqual(['google/flan-t5-small', 'google/flan-t5-base', 'tiny/untied-gated', 'google/flan-t5-large']);
  });

  it('loads picked files with progress, generates, unloads; errors and cancels become messages', async () => {
    const { store, engine } = await setup();
    await store.getState().init();
    const stages: string[] = [];
    const unsubscribe = store.subscribe((s) => s.load && stages.push(s.load.stage));
    await store.getState().loadFiles(tinyFiles());
    unsubscribe();
    expect(stages).toContain('read');
    expect(stages).toContain('upload');
    const s = store.getState();
    expect(s.load).toBeNull();
    expect(s.loaded?.id).toBe('untied-gated');
    expect(s.message).toMatchObject({ kind: 'info', text: expect.stringMatching(/^Loaded untied-gated in/) });

    await store.getState().generate('the cat', { maxNewTokens: 4 });
    expect(store.getState().generateError).toBeNull();
    expect(store.getState().outputs).toHaveLength(1);
    await store.getState().generate('the cat', { maxNewTokens: 0 });
    expect(store.getState().generateError).toMatch(/maxNewTokens/);

    const config = tinyFiles().filter((f) => f.path.endsWith('config.json'));
    await store.getState().loadFiles(config);
    expect(store.getState().message).toMatchObject({ kind: 'error', text: expect.stringMatching(/untied-gated: no model\.safetensors/) });
    expect(store.getState().loaded?.id).toBe('untied-gated'); // the previous model stays

    // Cancel as soon as the upload starts.
    const stop = store.subscribe((st) => {
      if (st.load?.stage === 'upload' && !st.load.cancelling) void store.getState().cancelLoad();
    });
    await store.getState().loadFiles(tinyFiles());
    stop();
    expect(store.getState().message).toEqual({ kind: 'info', text: 'Cancelled loading folder untied-gated.' });
    expect(store.getState().loaded).toBeNull(); // the upload had replaced the old model
    expect(await engine.loadedModel()).toBeNull();
    expect((await engine.memory()).live.weights).toBe(0);

    await store.getState().loadFiles(tinyFiles());
    await store.getState().unload();
    expect(store.getState().loaded).toBeNull();
    expect((await engine.memory()).live.weights).toBe(0);
  });
});

describe('models page helpers', () => {
  it('base URLs are normalised and stored settings survive corruption', () => {
    expect(normalizeBaseUrl(' https://huggingface.co/ ')).toBe('https://huggingface.co');
    expect(normalizeBaseUrl('http://127.0.0.1:8080/mirror//')).toBe('http://127.0.0.1:8080/mirror');
    expect(() => normalizeBaseUrl('ftp://x')).toThrow(/http:\/\/ or https:\/\//);
    const storage = memoryStorage();
    storage.setItem(SETTINGS_KEYS.customIds, '{oops');
    storage.setItem(SETTINGS_KEYS.budgetGiB, '-3');
    expect(loadModelSettings(storage)).toEqual({ baseUrl: 'https://huggingface.co', customIds: [], budgetGiB: 4 });
  });

  it('cached ids need config, tokenizer and weights under the current base URL', () => {
    const base = 'http://127.0.0.1:5000';
    const urls = ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => hubFileUrl('a/b', f, base));
    expect(cachedModelIds(urls, ['a/b', 'c/d'], base)).toEqual(['a/b']);
    expect(cachedModelIds(urls.slice(0, 2), ['a/b'], base)).toEqual([]);
    expect(cachedModelIds(urls, ['a/b'], 'https://huggingface.co')).toEqual([]);
  });

  it('a sharded model is cached only with every shard, not with the index alone', () => {
    const base = 'http://127.0.0.1:5000';
    const files = (names: string[]) => ['config.json', 'tokenizer.json', 'model.safetensors.index.json', ...names].map((f) => hubFileUrl('a/b', f, base));
    expect(cachedModelIds(files([]), ['a/b'], base)).toEqual([]);
    expect(cachedModelIds(files(['model-00001-of-00002.safetensors']), ['a/b'], base)).toEqual([]);
    expect(cachedModelIds(files(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']), ['a/b'], base)).toEqual(['a/b']);
    // Another model's shards do not count.
    const other = ['model-00001-of-00001.safetensors'].map((f) => hubFileUrl('a/bc', f, base));
    expect(cachedModelIds([...files([]), ...other], ['a/b'], base)).toEqual([]);
  });

  it('memory rows: estimates per method, budget and buffer-size warnings', () => {
    const small = T5_PRESETS['google/flan-t5-small'];
    const m = modelMemory(small, { maxBufferSize: 2 ** 30, budgetBytes: 4 * 2 ** 30 });
    expect(m.parameterCount).toBe(76961152); // flan-t5-small's published parameter count
    expect(m.rows.map((r) => r.method)).toEqual(['full', 'lora', 'qlora']);
    expect(m.rows[0].estimate.total).toBeGreaterThan(m.rows[1].estimate.total);
    expect(m.rows[1].estimate.total).toBeGreaterThan(m.rows[2].estimate.total);
    expect(m.warnings).toEqual([]);
    // logits (8*128*32128*4 = 131.6 MB) are the largest single buffer for small
    expect(m.largestBuffer).toEqual({ what: 'logits (8 × 128 × vocab)', bytes: 4 * 8 * 128 * 32128 });
    const tight = modelMemory(T5_PRESETS['google/flan-t5-xl'], { maxBufferSize: 128 * 2 ** 20, budgetBytes: 2 ** 30 });
    expect(tight.largestBuffer.what).toBe('shared.weight');
    expect(tight.warnings[0]).toMatch(/^shared\.weight needs 251\.0 MiB in one buffer, but this adapter allows 128\.0 MiB per buffer\.$/);
    expect(tight.warnings[1]).toMatch(/^Every method is estimated above your 1\.0 GiB budget/);
  });
});
