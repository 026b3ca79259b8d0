// Browser: a checkpoint folder picked with <input type="file" webkitdirectory> (File objects whose
// webkitRelativePath is "folder/config.json") or dropped onto the page (walked by src/hosts/browser/dropped-files.ts).
// Files stay Blobs: tensors are sliced lazily, never read whole.
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
