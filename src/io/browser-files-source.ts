// Browser: a checkpoint folder picked with <input type="file" webkitdirectory> (File objects whose
// webkitRelativePath is "folder/config.json") or dropped onto the page (walked with filesFromDrop). Files stay Blobs:
// tensors are sliced lazily, never read whole.
import { blobSource } from './byte-source';
import type { CheckpointSource } from './checkpoint';

/** A file and its path relative to the picked or dropped folder's parent ("flan/config.json"). */
export interface PathedFile {
  file: File;
  path: string;
}

function pathed(f: File | PathedFile): PathedFile {
  if (!(f instanceof File)) return f;
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
  return { file: f, path: rel || f.name };
}

/**
 * Files of one checkpoint folder. Paths are "folder/name" (or a bare "name" for loose files); only files at the
 * folder's top level count, since the HF layout is flat.
 */
export function browserFilesSource(files: ArrayLike<File | PathedFile>, label?: string): CheckpointSource {
  const list = Array.from(files, pathed);
  const folders = new Set(list.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  if (folders.size > 1) {
    throw new Error(`the picked files come from several folders (${[...folders].map((f) => f || '.').join(', ')}); pick one checkpoint folder`);
  }
  const byName = new Map<string, File>();
  for (const { file, path } of list) {
    const rest = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
    if (!rest.includes('/')) byName.set(rest, file);
  }
  const folder = label ?? ([...folders][0] || 'dropped files');
  const get = (name: string) => {
    const f = byName.get(name);
    if (!f) throw new Error(`${folder}: no file ${name}`);
    return f;
  };
  return {
    label: folder,
    list: async () => [...byName.keys()],
    open: async (name) => blobSource(get(name), `${folder}/${name}`),
    text: (name) => get(name).text(),
  };
}

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
