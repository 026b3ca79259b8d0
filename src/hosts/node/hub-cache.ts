// Node host: hub downloads cached in a folder, one file per URL (named by the URL's SHA-256), written atomically.
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from '../../io/byte-source';
import type { HubCache } from '../../io/hub';
import { fileByteSource } from './fs-source';

export function nodeHubCache(dir: string): HubCache {
  const pathOf = (url: string) => join(dir, createHash('sha256').update(url).digest('hex'));
  return {
    async get(url): Promise<ByteSource | undefined> {
      const path = pathOf(url);
      try {
        await stat(path);
      } catch {
        return undefined;
      }
      return fileByteSource(path);
    },
    async put(url, bytes) {
      await mkdir(dir, { recursive: true });
      const path = pathOf(url);
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    },
  };
}
