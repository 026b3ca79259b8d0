// A folder dropped onto the page: walk the File and Directory Entries API (DataTransferItem.webkitGetAsEntry())
// into files with folder-relative paths, the form src/io/browser-files-source.ts reads.
import type { PathedFile } from '../../io/browser-files-source';

/** Minimal shapes of the File and Directory Entries API that a drop event gives (typed here, no DOM import). */
interface DropEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: DropEntry[]) => void, fail: (e: unknown) => void): void };
}

/** Every file under the dropped entries (DataTransferItem.webkitGetAsEntry()), with folder-relative paths. */
export async function filesFromDrop(entries: DropEntry[]): Promise<PathedFile[]> {
  const out: PathedFile[] = [];
  const walk = async (entry: DropEntry, prefix: string): Promise<void> => {
    if (entry.isFile && entry.file) {
      const file = await new Promise<File>((ok, fail) => entry.file!(ok, fail));
      out.push({ file, path: `${prefix}${entry.name}` });
    } else if (entry.isDirectory && entry.createReader) {
      const reader = entry.createReader();
      // readEntries returns batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<DropEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}
