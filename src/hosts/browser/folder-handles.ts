// Local checkpoint folders picked on the Train page, remembered so a resume after a reload does not mean hunting
// for the folder again: the FileSystemDirectoryHandle is kept in IndexedDB (handles are structured-clonable) under
// the run's id; reading it again needs the person's permission, asked on their Resume click.
import { openDB, type IDBPDatabase } from 'idb';
import type { PathedFile } from '../../io/browser-files-source';

const DB_NAME = 'stepwise-train';
const STORE = 'folder-handles';

let db: Promise<IDBPDatabase> | null = null;
const open = () =>
  (db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(STORE);
    },
  }));

/** The key of the folder picked for the next run (moved under the run's id once the run has one). */
export const PENDING_KEY = 'next-run';

export async function rememberFolder(key: string, handle: FileSystemDirectoryHandle): Promise<void> {
  await (await open()).put(STORE, handle, key);
}

export async function recallFolder(key: string): Promise<FileSystemDirectoryHandle | undefined> {
  return (await (await open()).get(STORE, key)) as FileSystemDirectoryHandle | undefined;
}

export async function forgetFolder(key: string): Promise<void> {
  await (await open()).delete(STORE, key);
}

/** Whether this browser can pick a folder as a handle (Chrome's File System Access API). */
export const canPickFolderHandles = () => typeof window !== 'undefined' && 'showDirectoryPicker' in window;

interface PermissionHandle {
  queryPermission(d: { mode: 'read' }): Promise<PermissionState>;
  requestPermission(d: { mode: 'read' }): Promise<PermissionState>;
}

/** Read access to a remembered folder: asked again when the browser forgot it (needs a click to be on the stack). */
export async function ensureReadable(handle: FileSystemDirectoryHandle): Promise<boolean> {
  const h = handle as unknown as PermissionHandle;
  if ((await h.queryPermission({ mode: 'read' })) === 'granted') return true;
  return (await h.requestPermission({ mode: 'read' })) === 'granted';
}

/** Every file under the folder, with paths relative to its parent ("flan-t5-small/config.json"), like a picked folder. */
export async function filesOf(handle: FileSystemDirectoryHandle): Promise<PathedFile[]> {
  const out: PathedFile[] = [];
  const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
    for await (const entry of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
      const path = `${prefix}/${entry.name}`;
      if (entry.kind === 'file') out.push({ file: await (entry as FileSystemFileHandle).getFile(), path });
      else await walk(entry as FileSystemDirectoryHandle, path);
    }
  };
  await walk(handle, handle.name);
  return out;
}

/** Opens the browser's folder picker; undefined when the person closes it. */
export async function pickFolder(): Promise<FileSystemDirectoryHandle | undefined> {
  const w = window as unknown as { showDirectoryPicker(o: { mode: 'read'; id?: string }): Promise<FileSystemDirectoryHandle> };
  try {
    return await w.showDirectoryPicker({ mode: 'read', id: 'stepwise-checkpoint' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return undefined;
    throw e;
  }
}
