import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHubCache } from '../hosts/node/hub-cache';
import { loadCheckpoint } from './checkpoint';
import { memorySource } from './byte-source';
import { hubFileUrl } from '../settings/hub';
import { type HubCache, type HubProgress, hubSource } from './hub';

const FIXTURE = join(import.meta.dirname, '../../fixtures/tiny-t5/untied-gated');
const ID = 'tiny/untied-gated';

/** A hub-style server on 127.0.0.1: /<id>/resolve/main/<file>, and /api/models/<id>/revision/main unless noApi. */
function startHub(opts: { noApi?: boolean; files?: Record<string, Buffer>; cutFile?: string; gzip?: boolean; headStatus?: Record<string, number> } = {}) {
  const files: Record<string, Buffer> = opts.files ??
    Object.fromEntries(readdirSync(FIXTURE).map((f) => [f, readFileSync(join(FIXTURE, f))]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const api = `/api/models/${ID}/revision/main`;
    if (req.url === api && !opts.noApi) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: ID, siblings: Object.keys(files).map((rfilename) => ({ rfilename })) }));
      return;
    }
    const prefix = `/${ID}/resolve/main/`;
    const forced = req.method === 'HEAD' && req.url?.startsWith(prefix) ? opts.headStatus?.[req.url.slice(prefix.length)] : undefined;
    if (forced) {
      res.statusCode = forced;
      res.end();
      return;
    }
    const body = req.url?.startsWith(prefix) ? files[decodeURIComponent(req.url.slice(prefix.length))] : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end('Entry not found');
      return;
    }
    if (opts.gzip) {
      // Content-Length counts the compressed bytes; the client sees the larger decompressed body.
      const packed = gzipSync(body);
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-length', packed.byteLength);
      res.end(req.method === 'HEAD' ? undefined : packed);
      return;
    }
    res.setHeader('content-length', body.byteLength);
    if (req.method === 'GET' && req.url === `${prefix}${opts.cutFile}`) {
      // The connection drops half way through the body.
      res.write(body.subarray(0, body.byteLength >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise<{ server: Server; base: string; requests: string[] }>((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })),
  );
}

describe('hub source', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.server.close());

  it('builds resolve URLs', () => {
    expect(hubFileUrl('google/flan-t5-small', 'config.json')).toBe('https://huggingface.co/google/flan-t5-small/resolve/main/config.json');
    expect(hubFileUrl('a/b', 'model.safetensors', 'http://x/', 'v1.0')).toBe('http://x/a/b/resolve/v1.0/model.safetensors');
    expect(() => hubSource('../etc')).toThrow(/not a hub model id/);
  });

  it('downloads with progress, caches, and the second load makes zero requests', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'h8-hub-'));
    const progress: HubProgress[] = [];
    const first = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base, cache: nodeHubCache(cacheDir), onProgress: (p) => progress.push(p) }));
    const w1 = await first.readTensor('lm_head.weight');
    expect(hub.requests.length).toBeGreaterThan(0);
    expect(hub.requests).toContain(`GET /${ID}/resolve/main/model.safetensors`);
    const model = progress.filter((p) => p.file === 'model.safetensors');
    const size = readFileSync(join(FIXTURE, 'model.safetensors')).byteLength;
    expect(model[0]).toMatchObject({ loaded: 0, total: size, cached: false });
    expect(model[model.length - 1]).toMatchObject({ loaded: size, total: size });

    hub.requests.length = 0;
    const cachedProgress: HubProgress[] = [];
    const second = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base, cache: nodeHubCache(cacheDir), onProgress: (p) => cachedProgress.push(p) }));
    expect(await second.readTensor('lm_head.weight')).toEqual(w1);
    expect(second.tokenizerJson).toBe(first.tokenizerJson);
    expect(hub.requests).toEqual([]);
    expect(cachedProgress.every((p) => p.cached && p.loaded === p.total)).toBe(true);
  });

  it('gives a 404 message naming the file and URL', async () => {
    const source = hubSource(ID, { baseUrl: hub.base });
    await expect(source.text('nope.json')).rejects.toThrow(`hub ${ID}: nope.json not found (HTTP 404) at ${hub.base}/${ID}/resolve/main/nope.json`);
  });

  it('downloads only over https, or http to this machine', () => {
    for (const [baseUrl, why] of [
      ['not a url', '"not a url" is not a URL'],
      ['http://example.com', 'hub downloads use https (plain http only to this machine: 127.0.0.1 or localhost); got http://example.com'],
      ['ftp://example.com', 'the hub base URL must start with https:// (got ftp:)'],
      ['https://user:pw@example.com', 'the hub base URL must not carry a user name or password'],
      ['https://example.com/?x=1', 'the hub base URL must not have a query or fragment'],
    ]) {
      expect(() => hubSource(ID, { baseUrl })).toThrow(`hub ${ID}: ${why}`);
    }
    for (const baseUrl of ['https://huggingface.co', 'https://mirror.example/hf/', 'http://127.0.0.1:8000', 'http://localhost:1', 'http://[::1]:2']) {
      expect(() => hubSource(ID, { baseUrl })).not.toThrow();
    }
  });

  it('says when the server cannot be reached', async () => {
    const source = hubSource(ID, { baseUrl: 'http://127.0.0.1:9' });
    await expect(source.text('config.json')).rejects.toThrow(/cannot fetch config\.json from http:\/\/127\.0\.0\.1:9\/.*offline and not cached\?/);
  });
});

describe('hub source without a listing API', () => {
  it('probes the known files with HEAD and loads', async () => {
    const hub = await startHub({ noApi: true });
    try {
      const ckpt = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base }));
      expect(ckpt.config.d_model).toBe(32);
      expect(hub.requests).toContain(`HEAD /${ID}/resolve/main/model.safetensors`);
    } finally {
      hub.server.close();
    }
  });

  it('refuses a repo that only has pytorch_model.bin', async () => {
    const hub = await startHub({ files: { 'config.json': Buffer.from('{}'), 'pytorch_model.bin': Buffer.alloc(8) } });
    try {
      await expect(loadCheckpoint(hubSource(ID, { baseUrl: hub.base }))).rejects.toThrow(`hub ${ID}: has pytorch_model.bin but no model.safetensors`);
    } finally {
      hub.server.close();
    }
  });
});

/** An in-memory HubCache that logs calls; putStream reads the stream to the end and stores nothing on error. */
function streamCache(fail: { put?: boolean; stream?: boolean } = {}) {
  const stored = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const cache: HubCache = {
    async get(url) {
      calls.push(`get ${url.split('/').pop()}`);
      const bytes = stored.get(url);
      return bytes ? memorySource(bytes, url) : undefined;
    },
    async put(url, bytes) {
      calls.push(`put ${url.split('/').pop()}`);
      if (fail.put) throw new Error('QuotaExceededError');
      stored.set(url, bytes.slice());
    },
    async putStream(url, body) {
      calls.push(`putStream ${url.split('/').pop()}`);
      const reader = body.getReader();
      const chunks: Uint8Array[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        if (fail.stream) {
          await reader.cancel('quota');
          throw new Error('QuotaExceededError');
        }
      }
      stored.set(url, Buffer.concat(chunks));
    },
  };
  return { cache, stored, calls };
}

describe('hub source with a streaming cache', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  beforeAll(async () => {
    hub = await startHub({});
  });
  afterAll(() => hub.server.close());
  const size = readFileSync(join(FIXTURE, 'model.safetensors')).byteLength;

  it('streams each file into the cache and reads it back from there, with progress', async () => {
    const { cache, stored, calls } = streamCache();
    const progress: HubProgress[] = [];
    const ckpt = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base, cache, onProgress: (p) => progress.push(p) }));
    expect(ckpt.config.d_model).toBe(32);
    expect(calls).toContain('putStream model.safetensors');
    expect(calls).not.toContain('put model.safetensors');
    expect(calls.indexOf('get model.safetensors', calls.indexOf('putStream model.safetensors'))).toBeGreaterThan(0);
    expect(stored.get(hubFileUrl(ID, 'model.safetensors', hub.base))?.byteLength).toBe(size);
    const model = progress.filter((p) => p.file === 'model.safetensors');
    expect(model[model.length - 1]).toMatchObject({ loaded: size, total: size, cached: false });
  });

  it('a cache that refuses the file is a warning, and the model loads from memory', async () => {
    for (const fail of [{ stream: true }, { put: true }]) {
      const { cache, stored } = streamCache(fail);
      if (fail.put) delete cache.putStream;
      const warnings: string[] = [];
      const ckpt = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base, cache, onWarning: (w) => warnings.push(w) }));
      expect(ckpt.config.d_model).toBe(32);
      expect(await ckpt.readTensor('lm_head.weight')).toBeInstanceOf(Float32Array);
      expect(warnings.some((w) => /could not cache model\.safetensors \(QuotaExceededError\)/.test(w))).toBe(true);
      expect(stored.size).toBe(fail.stream ? 1 : 0); // only the small file list fits
    }
  });

  it('a download cut short fails the load and leaves nothing in the cache', async () => {
    const cut = await startHub({ cutFile: 'model.safetensors' });
    try {
      const { cache, stored } = streamCache();
      const warnings: string[] = [];
      await expect(loadCheckpoint(hubSource(ID, { baseUrl: cut.base, cache, onWarning: (w) => warnings.push(w) }))).rejects.toThrow();
      expect(stored.has(hubFileUrl(ID, 'model.safetensors', cut.base))).toBe(false);
      expect(warnings).toEqual([]);
    } finally {
      cut.server.close();
    }
  });
});

describe('hub source with compressed responses', () => {
  it('accepts a body longer than Content-Length (compressed transfer) and reports no false total', async () => {
    const hub = await startHub({ gzip: true });
    try {
      const progress: HubProgress[] = [];
      const ckpt = await loadCheckpoint(hubSource(ID, { baseUrl: hub.base, onProgress: (p) => progress.push(p) }));
      expect(ckpt.config.d_model).toBe(32);
      const model = progress.filter((p) => p.file === 'model.safetensors');
      const size = readFileSync(join(FIXTURE, 'model.safetensors')).byteLength;
      expect(model[model.length - 1].loaded).toBe(size);
      expect(model.every((p) => p.total === undefined || p.total >= p.loaded)).toBe(true);
    } finally {
      hub.server.close();
    }
  });

  it('when the encoding header is hidden, a longer body drops the total instead of failing', async () => {
    const size = readFileSync(join(FIXTURE, 'model.safetensors')).byteLength;
    const fetchHidden: typeof fetch = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (!res.ok || !res.body) return res;
      const headers = new Headers(res.headers);
      headers.delete('content-encoding');
      headers.set('content-length', String(Math.max(1, size >> 2)));
      return new Response(res.body, { status: res.status, headers });
    };
    const hub = await startHub({});
    try {
      const progress: HubProgress[] = [];
      const bytes = await hubSource(ID, { baseUrl: hub.base, fetch: fetchHidden, onProgress: (p) => progress.push(p) }).open('model.safetensors');
      expect(bytes.size).toBe(size);
      const last = progress[progress.length - 1];
      expect(last).toMatchObject({ loaded: size, total: undefined });
    } finally {
      hub.server.close();
    }
  });
});

describe('hub file list', () => {
  it('a probe that fails other than 404 stops the load instead of giving a short list; probes are not cached', async () => {
    const hub = await startHub({ noApi: true, headStatus: { 'tokenizer.json': 503 } });
    try {
      const { cache, calls } = streamCache();
      await expect(hubSource(ID, { baseUrl: hub.base, cache }).list()).rejects.toThrow(
        `hub ${ID}: cannot tell whether tokenizer.json exists (HEAD ${hub.base}/${ID}/resolve/main/tokenizer.json: HTTP 503)`,
      );
      const ok = await startHub({ noApi: true });
      try {
        expect(await hubSource(ID, { baseUrl: ok.base, cache }).list()).toContain('model.safetensors');
        expect(calls.filter((c) => c.startsWith('put'))).toEqual([]);
      } finally {
        ok.server.close();
      }
    } finally {
      hub.server.close();
    }
  });

  it('caches the API listing, and ignores a cached listing that is not a list of names', async () => {
    const hub = await startHub({});
    try {
      const { cache, stored } = streamCache();
      const apiUrl = `${hub.base}/api/models/${ID}/revision/main`;
      stored.set(apiUrl, new TextEncoder().encode('{"siblings": 3}'));
      const warnings: string[] = [];
      const names = await hubSource(ID, { baseUrl: hub.base, cache, onWarning: (w) => warnings.push(w) }).list();
      expect(names).toContain('model.safetensors');
      expect(warnings).toEqual([`hub ${ID}: the cached file list is damaged; fetching it again`]);
      expect(JSON.parse(new TextDecoder().decode(stored.get(apiUrl)))).toEqual(names);
      hub.requests.length = 0;
      expect(await hubSource(ID, { baseUrl: hub.base, cache }).list()).toEqual(names);
      expect(hub.requests).toEqual([]);
    } finally {
      hub.server.close();
    }
  });
});
