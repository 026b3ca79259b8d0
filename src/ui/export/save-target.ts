// Where a streamed download goes. With the File System Access API (Chrome, Edge) the user picks the file first and
// each chunk is written to it as it comes, so the page holds one chunk; elsewhere the chunks become the parts of a
// Blob, folded into it every few MiB (the browser's blob store keeps it, on disk when large), handed over as a
// download at the end. Discarding leaves nothing: the picked file is removed, the Blob is never offered.
import { download } from '../download';

export interface SaveTarget {
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the file (closes the picked file, or starts the download). */
  close(): Promise<void>;
  /** Drops everything written: no download, no file left behind. */
  discard(): Promise<void>;
}

type SaveFilePicker = (options: { suggestedName: string; types?: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;

/** JS-held parts are folded into the Blob once they pass this many bytes. */
const FOLD_BYTES = 64 << 20;

/**
 * A target for `name`, asking for the file first when the browser can write one (call it from the click, before
 * any other await: the picker needs the user's gesture). null when the user dismisses the picker.
 */
export async function openSaveTarget(name: string, type: string, description: string): Promise<SaveTarget | null> {
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (typeof picker !== 'function') return blobTarget(name, type);
  let handle: FileSystemFileHandle;
  try {
    const extension = /\.[^.]+$/.exec(name)?.[0];
    handle = await picker.call(globalThis, { suggestedName: name, types: extension ? [{ description, accept: { [type]: [extension] } }] : undefined });
  } catch (e) {
    if ((e as DOMException | null)?.name === 'AbortError') return null;
    throw e;
  }
  return fileTarget(handle);
}

async function fileTarget(handle: FileSystemFileHandle): Promise<SaveTarget> {
  const writable = await handle.createWritable();
  return {
    write: (bytes) => writable.write(bytes as Uint8Array<ArrayBuffer>),
    close: () => writable.close(),
    async discard() {
      await writable.abort().catch(() => undefined);
      // The picker made the file (empty) when it was chosen; remove() is Chrome's, absent elsewhere.
      await (handle as FileSystemFileHandle & { remove?: () => Promise<void> }).remove?.().catch(() => undefined);
    },
  };
}

function blobTarget(name: string, type: string): SaveTarget {
  let blob = new Blob([], { type });
  let parts: Uint8Array<ArrayBuffer>[] = [];
  let held = 0;
  const fold = () => {
    blob = new Blob([blob, ...parts], { type });
    parts = [];
    held = 0;
  };
  return {
    async write(bytes) {
      parts.push(bytes as Uint8Array<ArrayBuffer>);
      held += bytes.byteLength;
      if (held >= FOLD_BYTES) fold();
    },
    async close() {
      fold();
      download(name, blob, type);
    },
    async discard() {
      parts = [];
      blob = new Blob([], { type });
    },
  };
}
