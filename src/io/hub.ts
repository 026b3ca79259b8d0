// Hugging Face hub as a CheckpointSource: files come from `${baseUrl}/${id}/resolve/${revision}/${file}` (baseUrl
// configurable: a mirror, or a local server in tests), with byte progress per file, through a cache so the second
// load of a model makes no request at all. The file list comes from the hub API (`/api/models/<id>/revision/<rev>`,
// its "siblings"), or, where a server has no API, from probing the known checkpoint file names with HEAD.
import { type ByteSource, memorySource, readText } from './byte-source';
import type { CheckpointSource } from './checkpoint';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

/** Bytes by URL. Browser: Cache Storage (src/hosts/browser/hub-cache.ts); Node: a folder (src/hosts/node/hub-cache.ts). */
export interface HubCache {
  get(url: string): Promise<ByteSource | undefined>;
  put(url: string, bytes: Uint8Array): Promise<void>;
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
}

/** Files probed when the server has no listing API. */
const KNOWN_FILES = [
  'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors',
  'model.safetensors.index.json', 'pytorch_model.bin',
];

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

export function hubFileUrl(id: string, file: string, baseUrl = DEFAULT_HUB_URL, revision = 'main'): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${id}/resolve/${encodeURIComponent(revision)}/${path}`;
}

export function hubSource(id: string, options: HubOptions = {}): CheckpointSource {
  if (!HUB_ID.test(id) || id.includes('..')) throw new Error(`"${id}" is not a hub model id like google/flan-t5-small`);
  const baseUrl = (options.baseUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
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

  const download = async (file: string): Promise<ByteSource> => {
    const url = hubFileUrl(id, file, baseUrl, revision);
    const hit = await options.cache?.get(url);
    if (hit) {
      options.onProgress?.({ file, url, loaded: hit.size, total: hit.size, cached: true });
      return hit;
    }
    const res = await request(url, file);
    if (!res.ok) {
      const why = res.status === 404 ? 'not found' : res.status === 401 || res.status === 403 ? 'access denied (gated or private model?)' : 'request failed';
      throw new Error(`${label}: ${file} ${why} (HTTP ${res.status}) at ${url}`);
    }
    const bytes = await readBody(res, (loaded, total) => options.onProgress?.({ file, url, loaded, total, cached: false }));
    await options.cache?.put(url, bytes);
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

  const list = async (): Promise<string[]> => {
    const apiUrl = `${baseUrl}/api/models/${id}/revision/${encodeURIComponent(revision)}`;
    const cached = await options.cache?.get(apiUrl);
    if (cached) return JSON.parse(await readText(cached)) as string[];
    let names: string[] | undefined;
    const res = await request(apiUrl, 'the file list');
    if (res.ok) {
      const info = (await res.json().catch(() => null)) as { siblings?: { rfilename?: unknown }[] } | null;
      if (Array.isArray(info?.siblings)) names = info.siblings.map((s) => s.rfilename).filter((n): n is string => typeof n === 'string');
    } else if (res.status === 401 || res.status === 403) {
      throw new Error(`${label}: access denied (HTTP ${res.status}) at ${apiUrl} (gated or private model?)`);
    }
    if (!names) {
      // No listing API (a plain mirror): probe the files a checkpoint can have.
      names = [];
      for (const file of KNOWN_FILES) {
        const head = await request(hubFileUrl(id, file, baseUrl, revision), file, 'HEAD');
        if (head.ok) names.push(file);
      }
      if (names.length === 0) throw new Error(`${label}: no checkpoint files found at ${baseUrl}/${id} (is the id right?)`);
    }
    await options.cache?.put(apiUrl, new TextEncoder().encode(JSON.stringify(names)));
    return names;
  };

  return { label, list, open, text: async (file) => readText(await open(file)) };
}

/** Read a response body to the end, reporting bytes as they arrive. */
async function readBody(res: Response, progress: (loaded: number, total: number | undefined) => void): Promise<Uint8Array> {
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    progress(bytes.byteLength, total ?? bytes.byteLength);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  progress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    progress(loaded, total);
  }
  if (total !== undefined && loaded !== total) throw new Error(`download of ${res.url} ended at ${loaded} of ${total} bytes`);
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
