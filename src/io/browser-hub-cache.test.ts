// The browser hub cache against a minimal in-memory Cache Storage (Node has Response and Blob, not caches).
import { afterEach, describe, expect, it } from 'vitest';
import { browserHubCache, clearBrowserHubCache } from '../hosts/browser/hub-cache';

function fakeCaches() {
  const stores = new Map<string, Map<string, Response>>();
  return {
    async open(name: string) {
      if (!stores.has(name)) stores.set(name, new Map());
      const store = stores.get(name)!;
      return {
        match: async (url: string) => store.get(url)?.clone(),
        // Like Cache Storage: the body is read to the end first, and nothing is stored when it errors.
        put: async (url: string, res: Response) => void store.set(url, new Response(await res.blob())),
      };
    },
    delete: async (name: string) => stores.delete(name),
  };
}

describe('browserHubCache', () => {
  afterEach(() => {
    delete (globalThis as { caches?: unknown }).caches;
  });
  it('stores bytes by URL and reads ranges back lazily', async () => {
    (globalThis as { caches?: unknown }).caches = fakeCaches();
    const cache = browserHubCache();
    expect(await cache.get('http://h/a')).toBeUndefined();
    await cache.put('http://h/a', Uint8Array.from([1, 2, 3, 4, 5]));
    const src = (await cache.get('http://h/a'))!;
    expect(src.size).toBe(5);
    expect([...(await src.read(1, 3))]).toEqual([2, 3, 4]);
    await expect(src.read(3, 3)).rejects.toThrow(/outside the file \(5 bytes\)/);
    expect(await clearBrowserHubCache()).toBe(true);
    expect(await cache.get('http://h/a')).toBeUndefined();
  });

  it('stores a streamed body, and nothing when the stream errors', async () => {
    (globalThis as { caches?: unknown }).caches = fakeCaches();
    const cache = browserHubCache();
    const chunks = [Uint8Array.from([1, 2]), Uint8Array.from([3, 4, 5])];
    await cache.putStream!('http://h/s', new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) }));
    const src = (await cache.get('http://h/s'))!;
    expect([...(await src.read(0, 5))]).toEqual([1, 2, 3, 4, 5]);
    let sent = false;
    const cut = new ReadableStream<Uint8Array>({ pull: (c) => (sent ? c.error(new Error('connection reset')) : ((sent = true), c.enqueue(Uint8Array.from([9])))) });
    await expect(cache.putStream!('http://h/cut', cut)).rejects.toThrow(/connection reset/);
    expect(await cache.get('http://h/cut')).toBeUndefined();
  });
});
