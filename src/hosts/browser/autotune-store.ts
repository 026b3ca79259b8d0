// Autotune choices in IndexedDB: database "stepwise-autotune", one record per adapter key.
import { openDB, type IDBPDatabase } from 'idb';
import type { AutotuneChoices, AutotuneStore } from '../../gpu/autotune-store';

const DB_NAME = 'stepwise-autotune';
const STORE = 'choices';

export class IdbAutotuneStore implements AutotuneStore {
  private db: Promise<IDBPDatabase> | null = null;

  constructor(private readonly dbName: string = DB_NAME) {}

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(this.dbName, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });
    return this.db;
  }

  async load(adapterKey: string): Promise<AutotuneChoices | null> {
    const value = (await (await this.open()).get(STORE, adapterKey)) as AutotuneChoices | undefined;
    return value ?? null;
  }

  async save(adapterKey: string, choices: AutotuneChoices): Promise<void> {
    await (await this.open()).put(STORE, { ...choices }, adapterKey);
  }

  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = null;
  }
}
