// Browser host: hub downloads kept in Cache Storage, so the second load of a model works offline. Entries are read
// back as Blobs, which the browser keeps on disk: tensors are sliced from them without loading the whole file.
import { blobSource } from '../../io/byte-source';
import type { HubCache } from '../../io/hub';

export const HUB_CACHE_NAME = 'stepwise-hub-v1';

export function browserHubCache(name = HUB_CACHE_NAME): HubCache {
  const open = () => caches.open(name);
  return {
    async get(url) {
      const res = await (await open()).match(url);
      return res ? blobSource(await res.blob(), url) : undefined;
    },
    async put(url, bytes) {
      const body = new Blob([bytes as BlobPart]);
      await (await open()).put(url, new Response(body, { headers: { 'content-length': String(bytes.byteLength) } }));
    },
    async putStream(url, body) {
      // Cache.put reads the stream to the end before resolving and stores nothing when it errors, so a cut
      // download never becomes a cache entry; the bytes go to disk as they arrive.
      await (await open()).put(url, new Response(body));
    },
  };
}

/** Forget every cached hub file (the Models page's "clear cache"). */
export async function clearBrowserHubCache(name = HUB_CACHE_NAME): Promise<boolean> {
  return caches.delete(name);
}
