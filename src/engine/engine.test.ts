import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateMemory } from '../settings/memory-estimate';
import { createTextTokenizer } from '../model/tokenizer';
import { T5Generator } from '../model/generate';
import { loadT5 } from '../model/t5-model';
import { FIXTURES, readJson, tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import type { LoadReport } from './api';
import { Engine } from './engine';
import { createNodeEngine } from '../hosts/node/engine';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const tinyTokenizer = () =>
  createTextTokenizer(readFileSync(join(TINY, 'tokenizer.json'), 'utf8'), {
    ...readJson<Record<string, unknown>>(join(TINY, 'special_tokens_map.json')),
    ...readJson<Record<string, unknown>>(join(TINY, 'tokenizer_config.json')),
  });

it('the engine self-test runs a kernel and frees what it used', async () => {
  const gpu = await testGpu();
  const engine = new Engine(gpu);
  await engine.selfTest(); // first run creates the reusable uniform arena
  const before = (await engine.memory()).liveTotal;
  const result = await engine.selfTest();
  expect(result.values).toEqual([21, 42, 63]);
  expect(result.ok).toBe(true);
  expect((await engine.memory()).liveTotal).toBe(before);
  expect(gpu.pool.liveLabels().filter((l) => l.includes('selftest'))).toEqual([]);
});

describe('loading a model into the engine', () => {
  it('loads the tiny folder with progress, summarises it, and unloading returns the memory', async () => {
    const gpu = await testGpu();
    const engine = createNodeEngine(gpu);
    const before = await engine.memory();
    const reports: LoadReport[] = [];
    const summary = await engine.loadModel({ kind: 'folder', path: TINY }, (r) => reports.push(r), 'tiny-1');

    const config = summary.config;
    expect(config.d_model).toBe(32);
    expect(config.feed_forward_proj).toBe('gated-gelu');
    expect(summary.source).toEqual({ kind: 'folder', path: TINY });
    const params = estimateMemory(config, { batch: 1, inputLength: 1, targetLength: 1, method: 'full' }).totalParams;
    expect(summary.parameterCount).toBe(params);
    // Every parameter is one f32 buffer; nothing trains, so no grads or optimizer state.
    expect(summary.bytesOnGpu).toEqual({ weights: 4 * params, grads: 0, optimizer: 0, activations: 0, scratch: 0 });
    expect(summary.bytesOnGpuTotal).toBe(4 * params);
    expect((await engine.memory()).liveTotal - before.liveTotal).toBe(4 * params);
    expect(summary.tokenizerVocabSize).toBe(tinyTokenizer().size);
    expect(summary.storedDtypes).toEqual({ F32: reports.filter((r) => r.stage === 'upload').length });
    expect(await engine.loadedModel()).toEqual(summary);

    expect(reports.every((r) => r.loadId === 'tiny-1')).toBe(true);
    expect(reports.filter((r) => r.stage === 'read').map((r) => r.file)).toEqual(['config.json', 'tokenizer.json', 'model.safetensors']);
    const uploads = reports.filter((r) => r.stage === 'upload');
    const last = uploads[uploads.length - 1];
    expect(last.done).toBe(last.total);
    expect(last.loadedBytes).toBe(4 * params);
    expect(last.totalBytes).toBe(4 * params);
    expect(uploads.map((r) => r.done)).toEqual(uploads.map((_, i) => i + 1));

    expect(await engine.unloadModel()).toBe(true);
    expect((await engine.memory()).liveTotal).toBe(before.liveTotal);
    expect(gpu.pool.liveLabels().filter((l) => l.startsWith('weights:'))).toEqual([]);
    expect(await engine.unloadModel()).toBe(false);
    expect(await engine.loadedModel()).toBeNull();
  });

  it('generate tokenizes, pads and decodes around the generator; beam search returns one string per input', async () => {
    const gpu = await testGpu();
    const engine = createNodeEngine(gpu);
    await expect(engine.generate(['x'], { maxNewTokens: 2 })).rejects.toThrow(/no model is loaded/);
    await engine.loadModel({ kind: 'folder', path: TINY });
    // The generator itself is checked against PyTorch (t5.golden.test.ts); here: the same ids, right-padded and
    // masked, give the same tokens, decoded without special tokens.
    const tok = tinyTokenizer();
    const texts = ['the cat sat', 'a dog'];
    const ids = texts.map((t) => tok.encode(t));
    const Tin = Math.max(...ids.map((r) => r.length));
    expect(ids[0].length).not.toBe(ids[1].length);
    const { config, weights } = await tinyCheckpoint('untied-gated');
    const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false });
    const gen = new T5Generator(model, gpu, 2, Tin, 8);
    const direct = await gen.generate(
      ids.map((r) => [...r, ...new Array<number>(Tin - r.length).fill(tok.padId)]),
      ids.map((r) => Array.from({ length: Tin }, (_, i) => (i < r.length ? 1 : 0))),
      { maxNewTokens: 8 },
    );
    gen.free();
    model.params.free();
    const greedy = await engine.generate(texts, { maxNewTokens: 8 });
    expect(greedy).toEqual(direct.map((r) => tok.decode(r)));
    expect(greedy.some((s) => s.length > 0)).toBe(true);

    const loaded = (await engine.memory()).liveTotal;
    const beams = await engine.generate([texts[0], texts[1], 'a'], { maxNewTokens: 4, numBeams: 2 });
    expect(beams).toHaveLength(3);
    expect(beams.every((s) => typeof s === 'string')).toBe(true);
    expect(beams[0]).toBe((await engine.generate([texts[0]], { maxNewTokens: 4, numBeams: 2 }))[0]);
    expect((await engine.memory()).live.activations).toBe(0); // the generator's cache is freed after each call
    expect((await engine.memory()).liveTotal).toBe(loaded);
    await expect(engine.generate(texts, { maxNewTokens: 0 })).rejects.toThrow(/maxNewTokens must be an integer from 1 to 512/);
    await expect(engine.generate(texts, { maxNewTokens: 2, numBeams: 9 })).rejects.toThrow(/numBeams/);
    await engine.unloadModel();
  });

  it('cancels a load mid-upload and frees what it had uploaded', async () => {
    const gpu = await testGpu();
    const engine = createNodeEngine(gpu);
    const before = (await engine.memory()).liveTotal;
    let cancelled: Promise<boolean> | undefined;
    const load = engine.loadModel({ kind: 'folder', path: TINY }, (r) => {
      if (r.stage === 'upload' && r.done === 3) cancelled ??= engine.cancelLoad(r.loadId);
    }, 'to-cancel');
    await expect(load).rejects.toThrow('load cancelled');
    expect(await cancelled).toBe(true);
    expect(await engine.cancelLoad('to-cancel')).toBe(false);
    expect((await engine.memory()).liveTotal).toBe(before);
    expect(await engine.loadedModel()).toBeNull();
  });

  it('keeps the loaded model when the next pick is unreadable, and says why', async () => {
    const gpu = await testGpu();
    const engine = createNodeEngine(gpu);
    const first = await engine.loadModel({ kind: 'folder', path: TINY });
    const held = (await engine.memory()).liveTotal;
    const bad = mkdtempSync(join(tmpdir(), 'engine-bad-'));
    writeFileSync(join(bad, 'config.json'), readFileSync(join(TINY, 'config.json')));
    writeFileSync(join(bad, 'pytorch_model.bin'), Buffer.alloc(8));
    await expect(engine.loadModel({ kind: 'folder', path: bad })).rejects.toThrow(/has pytorch_model\.bin but no model\.safetensors/);
    expect(await engine.loadedModel()).toEqual(first);
    expect((await engine.memory()).liveTotal).toBe(held);
    // A folder path is a Node thing: the plain Engine (as in the browser worker) says so.
    await expect(new Engine(gpu).loadModel({ kind: 'folder', path: TINY })).rejects.toThrow(/folder paths load only in Node/);
    await engine.unloadModel();
  });

  it('loads picked files (File objects with folder-relative paths)', async () => {
    const gpu = await testGpu();
    const engine = new Engine(gpu);
    const files = readdirSync(TINY).map((name) => ({ file: new File([readFileSync(join(TINY, name))], name), path: `untied-gated/${name}` }));
    const summary = await engine.loadModel({ kind: 'files', files });
    expect(summary.id).toBe('untied-gated');
    expect(summary.source).toEqual({ kind: 'files', label: 'untied-gated', fileCount: files.length });
    expect(summary.config.num_heads).toBe(2);
    await engine.unloadModel();
  });
});

/** A hub-style server on 127.0.0.1 serving the tiny fixture under /tiny/untied-gated. */
function startHub(slowWeights = false): Promise<{ server: Server; base: string; requests: string[] }> {
  const id = 'tiny/untied-gated';
  const files = Object.fromEntries(readdirSync(TINY).map((f) => [f, readFileSync(join(TINY, f))]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === `/api/models/${id}/revision/main`) {
      res.end(JSON.stringify({ siblings: Object.keys(files).map((rfilename) => ({ rfilename })) }));
      return;
    }
    const prefix = `/${id}/resolve/main/`;
    const body = req.url?.startsWith(prefix) ? files[req.url.slice(prefix.length)] : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end('Entry not found');
      return;
    }
    res.setHeader('content-length', body.byteLength);
    if (!slowWeights || !req.url!.endsWith('.safetensors')) {
      res.end(body);
      return;
    }
    // Trickle: the first kilobyte now, the rest much later (or never, once the client has gone).
    res.write(body.subarray(0, 1024));
    const timer = setTimeout(() => res.end(body.subarray(1024)), 20_000);
    res.on('close', () => clearTimeout(timer));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

describe('loading from a hub', () => {
  it('downloads with byte progress, then loads from the cache with the server gone; 404s name the URL', async () => {
    const gpu = await testGpu();
    const hub = await startHub();
    const engine = createNodeEngine(gpu, { hubCacheDir: mkdtempSync(join(tmpdir(), 'engine-hub-')) });
    try {
      const reports: LoadReport[] = [];
      const summary = await engine.loadModel({ kind: 'hub', id: 'tiny/untied-gated', baseUrl: `${hub.base}/` }, (r) => reports.push(r));
      expect(summary.id).toBe('tiny/untied-gated');
      expect(summary.source).toEqual({ kind: 'hub', id: 'tiny/untied-gated', baseUrl: hub.base, revision: 'main' });
      const size = readFileSync(join(TINY, 'model.safetensors')).byteLength;
      const weights = reports.filter((r) => r.stage === 'download' && r.file === 'model.safetensors');
      expect(weights[0]).toMatchObject({ loadedBytes: 0, totalBytes: size, cached: false });
      expect(weights[weights.length - 1]).toMatchObject({ loadedBytes: size, totalBytes: size });
      await expect(engine.loadModel({ kind: 'hub', id: 'tiny/nope', baseUrl: hub.base })).rejects.toThrow(
        `hub tiny/nope: no checkpoint files found at ${hub.base}/tiny/nope`,
      );
      expect(await engine.loadedModel()).toEqual(summary);
    } finally {
      await new Promise((ok) => hub.server.close(ok));
    }
    const offline: LoadReport[] = [];
    const again = await engine.loadModel({ kind: 'hub', id: 'tiny/untied-gated', baseUrl: hub.base }, (r) => offline.push(r));
    expect(again.parameterCount).toBeGreaterThan(0);
    expect(offline.filter((r) => r.stage === 'download').every((r) => r.cached)).toBe(true);
    await engine.unloadModel();
  });

  it('cancels a download in flight', async () => {
    const gpu = await testGpu();
    const hub = await startHub(true);
    const engine = createNodeEngine(gpu);
    try {
      const before = (await engine.memory()).liveTotal;
      const load = engine.loadModel({ kind: 'hub', id: 'tiny/untied-gated', baseUrl: hub.base }, (r) => {
        if (r.stage === 'download' && r.file === 'model.safetensors') void engine.cancelLoad(r.loadId);
      }, 'slow');
      const started = performance.now();
      await expect(load).rejects.toThrow(/^load cancelled$/);
      expect(performance.now() - started).toBeLessThan(10_000); // not waiting for the trickle to end
      expect((await engine.memory()).liveTotal).toBe(before);
      expect(await engine.loadedModel()).toBeNull();
    } finally {
      hub.server.closeAllConnections();
      await new Promise((ok) => hub.server.close(ok));
    }
  });
});
