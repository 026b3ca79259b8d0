// An export written straight into a folder, chunk by chunk (the CLI's end of a streamed export): each file is
// created when its first chunk comes and refused if it exists already, and a failed export removes what it made,
// so no half-written checkpoint is left behind to be mistaken for a whole one.
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportSink } from '../engine/api';

export interface FolderSink {
  sink: ExportSink;
  /** Closes the last file once the export has finished. */
  close(): Promise<void>;
  /** Closes and deletes every file this sink created. */
  discard(): Promise<void>;
}

export function folderSink(dir: string): FolderSink {
  const created: string[] = [];
  let current: FileHandle | null = null;
  const closeCurrent = async () => {
    const handle = current;
    current = null;
    await handle?.close();
  };
  return {
    async sink(chunk) {
      if (chunk.offset === 0) {
        await closeCurrent();
        const path = join(dir, chunk.file);
        current = await open(path, 'wx');
        created.push(path);
      }
      if (!current) throw new Error(`export: ${chunk.file} continued at byte ${chunk.offset} but was never started`);
      await current.write(chunk.bytes);
    },
    close: closeCurrent,
    async discard() {
      await closeCurrent().catch(() => undefined);
      for (const path of created) await rm(path, { force: true });
    },
  };
}
