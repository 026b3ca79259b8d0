// DatasetStore on IndexedDB (browser; fake-indexeddb in Node tests). The schema is versioned by a table of
// migrations: the database version is the number of migrations, and opening an older database runs the ones it
// has not seen, in order, inside the upgrade transaction.
//
// Layout: "datasets" keyed by id; "rows" keyed by [datasetId, id], so one dataset's rows are a key range in id order.

import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { DatasetMeta, DatasetRow } from '../../data/records';
import { applyRowQuery, bumped, noDataset } from '../../data/store/row-query';
import type { DatasetStore, RowQuery } from '../../data/store/types';

type Db = IDBPDatabase<unknown>;
type UpgradeTx = IDBPTransaction<unknown, string[], 'versionchange'>;

export interface Migration {
  version: number;
  what: string;
  up(db: Db, tx: UpgradeTx): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'datasets by id; rows by [datasetId, id]',
    up(db) {
      db.createObjectStore('datasets', { keyPath: 'id' });
      db.createObjectStore('rows', { keyPath: ['datasetId', 'id'] });
    },
  },
];

export const DEFAULT_DB_NAME = 'stepwise-datasets';

const rowsOf = (datasetId: string): IDBKeyRange => IDBKeyRange.bound([datasetId], [datasetId, []]);

export interface IdbStoreEvents {
  /**
   * The connection was closed under the store: another tab opened a newer schema or deleted the database
   * (we close so it is not blocked forever), or the browser dropped it (storage cleared, disk error). Every later
   * call rejects with `reason`; the page should show it and offer a reload.
   */
  onClosed?(reason: string): void;
}

export async function openIdbDatasetStore(
  name = DEFAULT_DB_NAME,
  migrations: readonly Migration[] = MIGRATIONS,
  events: IdbStoreEvents = {},
): Promise<DatasetStore> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}; versions must be 1, 2, 3... in order`);
  });
  const state: ConnectionState = { closed: null };
  let db: Db | undefined;
  const lose = (reason: string) => {
    if (state.closed) return;
    state.closed = reason;
    db?.close();
    events.onClosed?.(reason);
  };
  // idb ignores what its callbacks throw, so "blocked" settles this wrapper instead; openDB itself stays pending
  // until the other tab lets go, and a connection that arrives after we gave up is closed at once.
  let gaveUp = false;
  db = await new Promise<Db>((resolve, reject) => {
    openDB(name, migrations.length, {
      upgrade(database, oldVersion, _newVersion, tx) {
        for (const m of migrations) if (m.version > oldVersion) m.up(database as Db, tx as unknown as UpgradeTx);
      },
      blocked() {
        gaveUp = true;
        reject(new Error(`IndexedDB "${name}" needs an upgrade that another open tab of this app is blocking: close the other tabs and reload`));
      },
      blocking(_current, blockedVersion) {
        lose(
          blockedVersion === null
            ? `IndexedDB "${name}" was deleted in another tab: reload this page`
            : `IndexedDB "${name}" was upgraded by another tab (version ${blockedVersion}): reload this page to keep working`,
        );
      },
      terminated() {
        lose(`the browser closed IndexedDB "${name}" (storage cleared or a disk error): reload this page`);
      },
    }).then(
      (opened) => {
        if (gaveUp) opened.close();
        else resolve(opened as Db);
      },
      reject,
    );
  });
  return new IdbDatasetStore(db, state);
}

interface ConnectionState {
  /** Why the connection was closed under us; null while open. */
  closed: string | null;
}

class IdbDatasetStore implements DatasetStore {
  constructor(
    private readonly connection: Db,
    private readonly state: ConnectionState,
  ) {}

  /** The open connection, or the reason it was lost (instead of IndexedDB's "connection is closing"). */
  private get db(): Db {
    if (this.state.closed) throw new Error(this.state.closed);
    return this.connection;
  }

  async listDatasets(): Promise<DatasetMeta[]> {
    return (await this.db.getAll('datasets')) as DatasetMeta[];
  }

  async getDataset(id: string): Promise<DatasetMeta | undefined> {
    return (await this.db.get('datasets', id)) as DatasetMeta | undefined;
  }

  async putDataset(meta: DatasetMeta): Promise<void> {
    await this.db.put('datasets', meta);
  }

  async deleteDataset(id: string): Promise<void> {
    const tx = this.db.transaction(['datasets', 'rows'], 'readwrite');
    await Promise.all([tx.objectStore('rows').delete(rowsOf(id)), tx.objectStore('datasets').delete(id), tx.done]);
  }

  async getRow(datasetId: string, rowId: string): Promise<DatasetRow | undefined> {
    return (await this.db.get('rows', [datasetId, rowId])) as DatasetRow | undefined;
  }

  putRow(row: DatasetRow): Promise<void> {
    return this.putRows([row]);
  }

  async putRows(rows: DatasetRow[]): Promise<void> {
    const ids = new Set(rows.map((r) => r.datasetId));
    const tx = this.db.transaction(['datasets', 'rows'], 'readwrite');
    const datasets = tx.objectStore('datasets');
    const metas: DatasetMeta[] = [];
    for (const id of ids) {
      const meta = (await datasets.get(id)) as DatasetMeta | undefined;
      if (!meta) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw noDataset(id);
      }
      metas.push(meta);
    }
    const store = tx.objectStore('rows');
    await Promise.all([...rows.map((r) => store.put(r)), ...metas.map((m) => datasets.put(bumped(m))), tx.done]);
  }

  async deleteRow(datasetId: string, rowId: string): Promise<void> {
    const tx = this.db.transaction(['datasets', 'rows'], 'readwrite');
    const rows = tx.objectStore('rows');
    const datasets = tx.objectStore('datasets');
    if ((await rows.count([datasetId, rowId])) > 0) {
      await rows.delete([datasetId, rowId]);
      const meta = (await datasets.get(datasetId)) as DatasetMeta | undefined;
      if (meta) await datasets.put(bumped(meta));
    }
    await tx.done;
  }

  async listRows(datasetId: string, query?: RowQuery): Promise<DatasetRow[]> {
    const meta = await this.getDataset(datasetId);
    if (!meta) throw noDataset(datasetId);
    const rows = (await this.db.getAll('rows', rowsOf(datasetId))) as DatasetRow[];
    return applyRowQuery(rows, meta, query);
  }

  async countRows(datasetId: string): Promise<number> {
    return this.db.count('rows', rowsOf(datasetId));
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
