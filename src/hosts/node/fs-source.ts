// Node host: a checkpoint folder on disk as a CheckpointSource. Tensor reads are positioned file reads, so a large
// checkpoint is never read whole.
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ByteSource, checkRange } from '../../io/byte-source';
import type { CheckpointSource } from '../../io/checkpoint';

/** A file as a ByteSource; each read opens, reads and closes, so nothing leaks if a load is abandoned. */
export async function fileByteSource(path: string): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    size,
    async read(offset, length) {
      checkRange(size, offset, length, path);
      const handle = await open(path, 'r');
      try {
        const out = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(out, got, length - got, offset + got);
          if (bytesRead === 0) throw new Error(`${path}: file ended at ${offset + got} while reading ${length} bytes at ${offset}`);
          got += bytesRead;
        }
        return out;
      } finally {
        await handle.close();
      }
    },
  };
}

export function folderSource(dir: string): CheckpointSource {
  const root = resolve(dir);
  return {
    label: root,
    async list() {
      try {
        const entries = await readdir(root, { withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => e.name);
      } catch (e) {
        throw new Error(`${root}: cannot read the checkpoint folder (${(e as Error).message})`);
      }
    },
    open: (name) => fileByteSource(join(root, name)),
    text: (name) => readFile(join(root, name), 'utf8'),
  };
}
