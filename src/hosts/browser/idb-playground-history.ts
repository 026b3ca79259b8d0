// The Playground's session history in IndexedDB: kept across reloads, cleared with the site's data. Newest first,
// at most `limit` entries read back; without IndexedDB (tests, private modes that lack it) nothing is kept.
import { openDB } from 'idb';

const DB = 'stepwise-playground';
const STORE = 'history';
const db = () => openDB(DB, 1, { upgrade: (d) => d.createObjectStore(STORE, { autoIncrement: true }) });

export function idbPlaygroundHistory<Entry>(limit = 200): { load(): Promise<Entry[]>; add(entry: Entry): Promise<void> } {
  return {
    async load() {
      if (typeof indexedDB === 'undefined') return [];
      const all = (await (await db()).getAll(STORE)) as Entry[];
      return all.reverse().slice(0, limit);
    },
    async add(entry) {
      if (typeof indexedDB === 'undefined') return;
      await (await db()).add(STORE, entry);
    },
  };
}
