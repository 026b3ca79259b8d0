// Browser: a checkpoint folder picked with <input type="file" webkitdirectory> or dropped (File objects, with
// webkitRelativePath "folder/config.json" when picked as a directory). Files stay Blobs: tensors are sliced lazily.
import { blobSource } from './byte-source';
import type { CheckpointSource } from './checkpoint';

/** Path of a file inside the picked folder: webkitRelativePath minus its first (folder) component, else its name. */
function relativePath(file: File): string {
  const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  if (!rel) return file.name;
  const slash = rel.indexOf('/');
  return slash >= 0 ? rel.slice(slash + 1) : rel;
}

/**
 * Files of one checkpoint folder. Only files at the folder's top level count (HF layout is flat); a picked parent
 * folder holding several checkpoints should be narrowed to one first.
 */
export function browserFilesSource(files: ArrayLike<File>, label?: string): CheckpointSource {
  const list = Array.from(files);
  const byName = new Map<string, File>();
  for (const f of list) {
    const path = relativePath(f);
    if (!path.includes('/')) byName.set(path, f);
  }
  const first = list[0] as (File & { webkitRelativePath?: string }) | undefined;
  const folder = label ?? (first?.webkitRelativePath?.split('/')[0] || 'dropped files');
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
