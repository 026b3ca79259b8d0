// Imported PEFT adapters kept in IndexedDB (database "stepwise-adapters"), so the Playground, its evaluations and
// the Export page can answer with one after a reload. The files are kept as given (bytes or text by name).
import { openDB } from 'idb';
import type { FileRecord } from '../../engine/run-api';

export interface StoredAdapter {
  id: string;
  /** The zip's or folder's name. */
  label: string;
  importedAt: number;
  /** From adapter_config.json. */
  base: string;
  r: number;
  alpha: number;
  files: FileRecord;
}

const DB = 'stepwise-adapters';
const STORE = 'adapters';
const db = () => openDB(DB, 1, { upgrade: (d) => d.createObjectStore(STORE, { keyPath: 'id' }) });

export async function listAdapters(): Promise<StoredAdapter[]> {
  const all = (await (await db()).getAll(STORE)) as StoredAdapter[];
  return all.sort((a, b) => b.importedAt - a.importedAt);
}

export async function getAdapter(id: string): Promise<StoredAdapter | null> {
  return ((await (await db()).get(STORE, id)) as StoredAdapter | undefined) ?? null;
}

export async function putAdapter(adapter: StoredAdapter): Promise<void> {
  await (await db()).put(STORE, adapter);
}

export async function deleteAdapter(id: string): Promise<void> {
  await (await db()).delete(STORE, id);
}
