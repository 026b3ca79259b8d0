// Hugging Face hub as a CheckpointSource: files come from `${baseUrl}/${id}/resolve/${revision}/${file}` (baseUrl
// configurable: a mirror, or a local server in tests), with byte progress per file, through a cache so the second
// load of a model makes no request at all. The file list comes from the hub API (`/api/models/<id>/revision/<rev>`,
// its "siblings"), or, where a server has no API, from probing the known checkpoint file names with HEAD.
import { type ByteSource, memorySource, readText } from './byte-source';
import { DEFAULT_HUB_URL, checkHubId, hubBaseUrlProblem, hubFileUrl } from '../settings/hub';
import type { CheckpointSource } from './checkpoint';

/** Bytes by URL. Browser: Cache Storage (src/hosts/browser/hub-cache.ts); Node: a folder (src/hosts/node/hub-cache.ts). */
export interface HubCache {
  /** A lazy source over the stored bytes (a multi-GB file is never read whole), or undefined when absent. */
  get(url: string): Promise<ByteSource | undefined>;
  put(url: string, bytes: Uint8Array): Promise<void>;
  /**
   * Stores a body as it streams in, so a download never sits whole in memory; resolves once stored. Must store
   * nothing when the stream errors (a cut download). Optional: without it downloads go through memory and put().
   */
  putStream?(url: string, body: ReadableStream<Uint8Array>): Promise<void>;
}

export interface HubProgress {
  file: string;
  url: string;
  loaded: number;
  /** From Content-Length; undefined when the server does not say. */
  total: number | undefined;
  /** true when served from the cache (loaded = total at once). */
  cached: boolean;
}

export interface HubOptions {
  baseUrl?: string;
  revision?: string;
  cache?: HubCache;
  onProgress?: (p: HubProgress) => void;
  /** Injected fetch (tests, auth headers); default globalThis.fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Problems that do not stop the load (the cache is full or unavailable); default console.warn. */
  onWarning?: (message: string) => void;
}

/** Files probed when the server has no listing API. */
const KNOWN_FILES = [
  'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors',
  'model.safetensors.index.json', 'pytorch_model.bin',
];

export function hubSource(id: string, options: HubOptions = {}): CheckpointSource {
  checkHubId(id);
  const urlProblem = hubBaseUrlProblem(options.baseUrl ?? DEFAULT_HUB_URL);
  if (urlProblem) throw new Error(`hub ${id}: ${urlProblem}`);
  const baseUrl = (options.baseUrl ?? DEFAULT_HUB_URL).trim().replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const label = `hub ${id}`;
  const opened = new Map<string, Promise<ByteSource>>();

  const request = async (url: string, what: string, method = 'GET'): Promise<Response> => {
    try {
      return await doFetch(url, { method, signal: options.signal });
    } catch (e) {
      throw new Error(`${label}: cannot fetch ${what} from ${url} (${(e as Error).message}); offline and not cached?`);
    }
  };

  const warn = options.onWarning ?? ((message: string) => console.warn(message));

  const fetchFile = async (file: string, url: string): Promise<Response> => {
    const res = await request(url, file);
    if (!res.ok) {
      const why = res.status === 404 ? 'not found' : res.status === 401 || res.status === 403 ? 'access denied (gated or private model?)' : 'request failed';
      throw new Error(`${label}: ${file} ${why} (HTTP ${res.status}) at ${url}`);
    }
    return res;
  };

  const progressOf = (file: string, url: string) => (loaded: number, total: number | undefined) =>
    options.onProgress?.({ file, url, loaded, total, cached: false });

  /** Streams the body into the cache and reads it back lazily; undefined when the cache failed (not the download). */
  const downloadIntoCache = async (file: string, url: string, cache: HubCache & Required<Pick<HubCache, 'putStream'>>) => {
    const counted = countedBody(await fetchFile(file, url), `${label}/${file}`, progressOf(file, url));
    try {
      await cache.putStream(url, counted.stream);
    } catch (e) {
      const failed = counted.failure();
      if (failed) throw failed;
      warn(`${label}: could not cache ${file} (${(e as Error).message}); loading it into memory instead`);
      return undefined;
    }
    const failed = counted.failure();
    if (failed) throw failed;
    const stored = await cache.get(url).catch(() => undefined);
    if (!stored) warn(`${label}: ${file} was cached but cannot be read back; loading it into memory instead`);
    return stored;
  };

  const download = async (file: string): Promise<ByteSource> => {
    const url = hubFileUrl(id, file, baseUrl, revision);
    const cache = options.cache;
    const hit = await cache?.get(url);
    if (hit) {
      options.onProgress?.({ file, url, loaded: hit.size, total: hit.size, cached: true });
      return hit;
    }
    if (cache?.putStream) {
      const stored = await downloadIntoCache(file, url, cache as HubCache & Required<Pick<HubCache, 'putStream'>>);
      if (stored) return stored;
      // The cache refused the file (full?): fetch it again into memory rather than fail the load.
      return memorySource(await readBody(await fetchFile(file, url), `${label}/${file}`, progressOf(file, url)), `${label}/${file}`);
    }
    const bytes = await readBody(await fetchFile(file, url), `${label}/${file}`, progressOf(file, url));
    if (cache) {
      try {
        await cache.put(url, bytes);
        // Read back from the cache, so the download buffer can be freed once the loader is done with it.
        const stored = await cache.get(url).catch(() => undefined);
        if (stored) return stored;
      } catch (e) {
        warn(`${label}: could not cache ${file} (${(e as Error).message}); it will be downloaded again next time`);
      }
    }
    return memorySource(bytes, `${label}/${file}`);
  };

  const open = (file: string) => {
    let p = opened.get(file);
    if (!p) {
      p = download(file);
      opened.set(file, p);
      p.catch(() => opened.delete(file)); // a failed download may be retried
    }
    return p;
  };

  /** A cached listing, when the cache has one and it is a list of names (anything else is ignored and refetched). */
  const cachedList = async (apiUrl: string): Promise<string[] | undefined> => {
    const cached = await options.cache?.get(apiUrl);
    if (!cached) return undefined;
    try {
      const names: unknown = JSON.parse(await readText(cached));
      if (Array.isArray(names) && names.length > 0 && names.every((n) => typeof n === 'string')) return names;
    } catch {
      // damaged entry: fall through
    }
    warn(`${label}: the cached file list is damaged; fetching it again`);
    return undefined;
  };

  const list = async (): Promise<string[]> => {
    const apiUrl = `${baseUrl}/api/models/${id}/revision/${encodeURIComponent(revision)}`;
    const cached = await cachedList(apiUrl);
    if (cached) return cached;
    const res = await request(apiUrl, 'the file list');
    if (res.ok) {
      const info = (await res.json().catch(() => null)) as { siblings?: { rfilename?: unknown }[] } | null;
      if (Array.isArray(info?.siblings)) {
        const names = info.siblings.map((s) => s?.rfilename).filter((n): n is string => typeof n === 'string');
        // Only a listing from the API is cached: it is complete for this revision.
        if (names.length > 0) {
          await options.cache?.put(apiUrl, new TextEncoder().encode(JSON.stringify(names))).catch((e: Error) =>
            warn(`${label}: could not cache the file list (${e.message})`),
          );
        }
        return names;
      }
    } else if (res.status === 401 || res.status === 403) {
      throw new Error(`${label}: access denied (HTTP ${res.status}) at ${apiUrl} (gated or private model?)`);
    }
    // No listing API (a plain mirror): probe the files a checkpoint can have. Only "not found" means absent; any
    // other failure would give an incomplete list, so it stops the load. Not cached: probes are cheap and a mirror
    // may gain files.
    const names: string[] = [];
    for (const file of KNOWN_FILES) {
      const url = hubFileUrl(id, file, baseUrl, revision);
      const head = await request(url, file, 'HEAD');
      if (head.ok) names.push(file);
      else if (head.status !== 404) throw new Error(`${label}: cannot tell whether ${file} exists (HEAD ${url}: HTTP ${head.status})`);
    }
    if (names.length === 0) throw new Error(`${label}: no checkpoint files found at ${baseUrl}/${id} (is the id right?)`);
    return names;
  };

  return { label, list, open, text: async (file) => readText(await open(file)) };
}

/** Content-Length as a byte total; undefined when absent or when it counts compressed bytes (Content-Encoding). */
function contentLength(res: Response): number | undefined {
  const encoding = res.headers.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return undefined;
  const length = Number(res.headers.get('content-length'));
  return Number.isFinite(length) && length > 0 ? length : undefined;
}

/**
 * The response body as a stream that reports bytes as they pass and errors when the body ends short of
 * Content-Length. failure() says whether the download itself failed (network, cut short), as opposed to whoever
 * consumed the stream (a full cache).
 */
function countedBody(res: Response, what: string, progress: (loaded: number, total: number | undefined) => void) {
  let total = contentLength(res);
  let loaded = 0;
  let failed: Error | undefined;
  const reader = res.body?.getReader();
  const stream = new ReadableStream<Uint8Array>({
    start() {
      progress(0, total);
    },
    async pull(controller) {
      try {
        if (!reader) {
          const bytes = new Uint8Array(await res.arrayBuffer());
          loaded = bytes.byteLength;
          progress(loaded, total ?? loaded);
          controller.enqueue(bytes);
          controller.close();
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          // Only a short body is an error: a longer one means Content-Length counted compressed bytes (a
          // Content-Encoding the browser hides from cross-origin scripts).
          if (total !== undefined && loaded < total) throw new Error(`download of ${what} ended at ${loaded} of ${total} bytes`);
          controller.close();
          return;
        }
        loaded += value.byteLength;
        if (total !== undefined && loaded > total) total = undefined;
        progress(loaded, total);
        controller.enqueue(value);
      } catch (e) {
        failed = e instanceof Error ? e : new Error(String(e));
        controller.error(failed);
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
  return { stream, failure: () => failed };
}

/**
 * Read a response body to the end, reporting bytes as they arrive, into one buffer preallocated from Content-Length
 * (no chunk list and final copy: a download costs its size in memory, not twice that).
 */
async function readBody(res: Response, what: string, progress: (loaded: number, total: number | undefined) => void): Promise<Uint8Array> {
  const total = contentLength(res);
  let buf = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  const reader = countedBody(res, what, progress).stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > buf.byteLength) {
      const grown = new Uint8Array(Math.max(buf.byteLength * 2, loaded + value.byteLength));
      grown.set(buf.subarray(0, loaded));
      buf = grown;
    }
    buf.set(value, loaded);
    loaded += value.byteLength;
  }
  return loaded === buf.byteLength ? buf : buf.slice(0, loaded);
}
