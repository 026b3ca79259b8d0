// DatasetStore on IndexedDB (browser; fake-indexeddb in Node tests). The schema is versioned by a table of
// migrations: the database version is the number of migrations, and opening an older database runs the ones it
// has not seen, in order, inside the upgrade transaction.
//
// Layout: "datasets" keyed by id; "rows" keyed by [datasetId, id], so one dataset's rows are a key range in id order.

import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { DatasetMeta, DatasetRow } from '../records';
import { applyRowQuery, bumped, noDataset } from './row-query';
import type { DatasetStore, RowQuery } from './types';

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

export async function openIdbDatasetStore(name = DEFAULT_DB_NAME, migrations: readonly Migration[] = MIGRATIONS): Promise<DatasetStore> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}; versions must be 1, 2, 3... in order`);
  });
  const db = await openDB(name, migrations.length, {
    upgrade(database, oldVersion, _newVersion, tx) {
      for (const m of migrations) if (m.version > oldVersion) m.up(database as Db, tx as unknown as UpgradeTx);
    },
    blocked() {
      throw new Error(`IndexedDB "${name}" upgrade is blocked by another open tab: close it and reload`);
    },
  });
  return new IdbDatasetStore(db as Db);
}

class IdbDatasetStore implements DatasetStore {
  constructor(private readonly db: Db) {}

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
    this.db.close();
  }
}
