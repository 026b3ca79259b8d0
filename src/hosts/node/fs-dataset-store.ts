// DatasetStore on the Node filesystem: <root>/<encoded dataset id>/meta.json and rows.jsonl (one row per line, in id
// order). Files are replaced atomically (write a temporary file, then rename), and operations on one store are
// serialised so read-modify-write cycles cannot interleave. A damaged file is reported with its path and line.
// Node only (src/hosts/node).

import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetMeta, DatasetRow } from '../../data/records';
import { applyRowQuery, bumped, byId, noDataset } from '../../data/store/row-query';
import type { DatasetStore, RowQuery } from '../../data/store/types';

const META = 'meta.json';
const ROWS = 'rows.jsonl';

function folderName(id: string): string {
  if (id === '' || id === '.' || id === '..') throw new Error(`dataset id ${JSON.stringify(id)} cannot name a folder`);
  return encodeURIComponent(id);
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

function requireFields(value: unknown, fields: Record<string, string>, where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a JSON object`);
  for (const [k, type] of Object.entries(fields)) {
    const got = (value as Record<string, unknown>)[k];
    if (typeof got !== type) throw new Error(`${where}: field "${k}" must be a ${type}, got ${got === undefined ? 'nothing' : typeof got}`);
  }
}

const META_FIELDS = { id: 'string', name: 'string', task: 'object', version: 'number', splitSeed: 'number', trainFraction: 'number' };
const ROW_FIELDS = { id: 'string', datasetId: 'string', question: 'string', label: 'string', rationale: 'string', source: 'string', status: 'string', validity: 'object' };

export class FsDatasetStore implements DatasetStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {}

  /** Runs `op` after every earlier operation on this store has finished. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private dir(id: string): string {
    return join(this.root, folderName(id));
  }

  private async readMeta(id: string): Promise<DatasetMeta | undefined> {
    const file = join(this.dir(id), META);
    const text = await readText(file);
    if (text === undefined) return undefined;
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    requireFields(meta, META_FIELDS, file);
    return meta as DatasetMeta;
  }

  private async readRows(id: string): Promise<DatasetRow[]> {
    const file = join(this.dir(id), ROWS);
    const text = await readText(file);
    if (text === undefined) return [];
    const rows: DatasetRow[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file} line ${i + 1}`;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (e) {
        throw new Error(`${where}: not valid JSON: ${(e as Error).message}`);
      }
      requireFields(row, ROW_FIELDS, where);
      rows.push(row as DatasetRow);
    });
    return rows;
  }

  private async writeRows(id: string, rows: DatasetRow[]): Promise<void> {
    rows.sort(byId);
    await writeAtomic(join(this.dir(id), ROWS), rows.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  private async writeMeta(meta: DatasetMeta): Promise<void> {
    await mkdir(this.dir(meta.id), { recursive: true });
    await writeAtomic(join(this.dir(meta.id), META), JSON.stringify(meta, null, 2) + '\n');
  }

  listDatasets(): Promise<DatasetMeta[]> {
    return this.serial(async () => {
      let entries: string[];
      try {
        entries = await readdir(this.root);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const metas: DatasetMeta[] = [];
      for (const entry of entries.sort()) {
        const meta = await this.readMeta(decodeURIComponent(entry)).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOTDIR') return undefined; // a stray file next to the dataset folders
          throw e;
        });
        if (meta) metas.push(meta);
      }
      return metas;
    });
  }

  getDataset(id: string): Promise<DatasetMeta | undefined> {
    return this.serial(() => this.readMeta(id));
  }

  putDataset(meta: DatasetMeta): Promise<void> {
    return this.serial(() => this.writeMeta(meta));
  }

  deleteDataset(id: string): Promise<void> {
    return this.serial(() => rm(this.dir(id), { recursive: true, force: true }));
  }

  getRow(datasetId: string, rowId: string): Promise<DatasetRow | undefined> {
    return this.serial(async () => (await this.readRows(datasetId)).find((r) => r.id === rowId));
  }

  putRow(row: DatasetRow): Promise<void> {
    return this.putRows([row]);
  }

  putRows(rows: DatasetRow[]): Promise<void> {
    return this.serial(async () => {
      const byDataset = new Map<string, DatasetRow[]>();
      for (const r of rows) {
        const list = byDataset.get(r.datasetId);
        if (list) list.push(r);
        else byDataset.set(r.datasetId, [r]);
      }
      const metas: DatasetMeta[] = [];
      for (const id of byDataset.keys()) {
        const meta = await this.readMeta(id);
        if (!meta) throw noDataset(id);
        metas.push(meta);
      }
      for (const meta of metas) {
        const merged = new Map((await this.readRows(meta.id)).map((r) => [r.id, r]));
        for (const r of byDataset.get(meta.id)!) merged.set(r.id, r);
        await this.writeRows(meta.id, [...merged.values()]);
        await this.writeMeta(bumped(meta));
      }
    });
  }

  deleteRow(datasetId: string, rowId: string): Promise<void> {
    return this.serial(async () => {
      const rows = await this.readRows(datasetId);
      const kept = rows.filter((r) => r.id !== rowId);
      if (kept.length === rows.length) return;
      await this.writeRows(datasetId, kept);
      const meta = await this.readMeta(datasetId);
      if (meta) await this.writeMeta(bumped(meta));
    });
  }

  listRows(datasetId: string, query?: RowQuery): Promise<DatasetRow[]> {
    return this.serial(async () => {
      const meta = await this.readMeta(datasetId);
      if (!meta) throw noDataset(datasetId);
      return applyRowQuery((await this.readRows(datasetId)).sort(byId), meta, query);
    });
  }

  countRows(datasetId: string): Promise<number> {
    return this.serial(async () => (await this.readRows(datasetId)).length);
  }

  async close(): Promise<void> {
    await this.queue;
  }
}
