import 'fake-indexeddb/auto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetMeta, DatasetRow } from '../records';
import { assignSplits } from '../split';
import { FsDatasetStore } from '../../hosts/node/fs-dataset-store';
import { MIGRATIONS, openIdbDatasetStore, type Migration } from '../../hosts/browser/idb-dataset-store';
import type { DatasetStore } from './types';

const meta = (id: string): DatasetMeta => ({
  id,
  name: `Dataset ${id}`,
  task: { id: 't', name: 'sales', schema: { index: 'sales', description: '', fields: [] }, promptTemplate: '{{question}}' },
  version: 1,
  splitSeed: 42,
  trainFraction: 0.8,
  synthetic: false,
  createdAt: 1,
  updatedAt: 1,
});

const row = (datasetId: string, n: number, extra: Partial<DatasetRow> = {}): DatasetRow => ({
  id: `r${String(n).padStart(3, '0')}`,
  datasetId,
  question: `How many orders in city ${n}?`,
  label: '{"size":0}',
  rationale: 'Count only.',
  source: n % 3 === 0 ? 'teacher' : 'import',
  status: 'pending',
  validity: { parses: true, valid: n % 4 !== 0, problems: [] },
  createdAt: n,
  updatedAt: n,
  ...extra,
});

let dbCounter = 0;
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const hosts: [string, () => Promise<DatasetStore>][] = [
  ['IndexedDB (fake-indexeddb)', () => openIdbDatasetStore(`test-db-${++dbCounter}`)],
  ['filesystem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepwise-store-'));
    dirs.push(dir);
    return new FsDatasetStore(dir);
  }],
];

describe.each(hosts)('DatasetStore on %s', (_name, open) => {
  it('puts, lists, gets and deletes datasets and their rows', async () => {
    const store = await open();
    expect(await store.listDatasets()).toEqual([]);
    await store.putDataset(meta('b/with slash'));
    await store.putDataset(meta('a'));
    expect((await store.listDatasets()).map((m) => m.id).sort()).toEqual(['a', 'b/with slash']);
    await store.putRows(Array.from({ length: 20 }, (_, i) => row('a', 19 - i)));
    await store.putRow(row('b/with slash', 1));
    expect(await store.countRows('a')).toBe(20);
    expect((await store.getDataset('a'))!.version).toBe(2); // one bump for the bulk put
    expect(await store.getRow('a', 'r005')).toEqual(row('a', 5));
    expect(await store.getRow('a', 'nope')).toBeUndefined();

    await store.putRow(row('a', 5, { question: 'edited' }));
    expect((await store.getRow('a', 'r005'))!.question).toBe('edited');
    expect((await store.getDataset('a'))!.version).toBe(3);

    await store.deleteRow('a', 'r006');
    await store.deleteRow('a', 'absent');
    expect(await store.countRows('a')).toBe(19);
    expect((await store.getDataset('a'))!.version).toBe(4);

    await store.deleteDataset('a');
    expect(await store.getDataset('a')).toBeUndefined();
    expect(await store.countRows('a')).toBe(0);
    expect(await store.countRows('b/with slash')).toBe(1);
    await store.close();
  });

  it('queries rows by source, validity, text and split, in id order with paging', async () => {
    const store = await open();
    await store.putDataset(meta('d'));
    const rows = Array.from({ length: 40 }, (_, i) => row('d', i));
    await store.putRows(rows);
    const all = await store.listRows('d');
    expect(all.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect((await store.listRows('d', { source: 'teacher' })).every((r) => r.source === 'teacher')).toBe(true);
    expect((await store.listRows('d', { valid: false })).map((r) => r.id)).toEqual(rows.filter((r) => !r.validity.valid).map((r) => r.id));
    expect((await store.listRows('d', { text: 'CITY 17?' })).map((r) => r.id)).toEqual(['r017']);
    expect((await store.listRows('d', { offset: 5, limit: 3 })).map((r) => r.id)).toEqual(['r005', 'r006', 'r007']);
    const splits = assignSplits(rows);
    expect((await store.listRows('d', { split: 'eval' })).map((r) => r.id)).toEqual(rows.filter((r) => splits.get(r.id) === 'eval').map((r) => r.id));
    await expect(store.listRows('missing')).rejects.toThrow(/dataset "missing" does not exist/);
    await expect(store.putRow(row('missing', 1))).rejects.toThrow(/dataset "missing" does not exist/);
    expect(await store.countRows('d')).toBe(40);
    await store.close();
  });
});

describe('FsDatasetStore files', () => {
  it('names the file and line of a damaged record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepwise-store-'));
    dirs.push(dir);
    const store = new FsDatasetStore(dir);
    await store.putDataset(meta('x'));
    await store.putRows([row('x', 1), row('x', 2)]);
    const rowsFile = join(dir, 'x', 'rows.jsonl');
    const lines = (await readFile(rowsFile, 'utf8')).split('\n');
    await writeFile(rowsFile, [lines[0], '{"id": "r9", "datasetId": "x"', lines[1]].join('\n'));
    await expect(store.listRows('x')).rejects.toThrow(`${rowsFile} line 2: not valid JSON`);
    await writeFile(rowsFile, [lines[0], '{"id": 7}'].join('\n'));
    await expect(store.getRow('x', 'r001')).rejects.toThrow(`${rowsFile} line 2: field "id" must be a string, got number`);
    await writeFile(join(dir, 'x', 'meta.json'), '{"id": "x",');
    await expect(store.getDataset('x')).rejects.toThrow(`${join(dir, 'x', 'meta.json')}: not valid JSON`);
    await writeFile(join(dir, 'stray.txt'), 'not a dataset');
    await expect(store.listDatasets()).rejects.toThrow(/meta.json: not valid JSON/);
  });
});

describe('IndexedDB migrations', () => {
  it('opens a database at version = number of migrations and upgrades older ones in order', async () => {
    const name = `migrate-${++dbCounter}`;
    const store = await openIdbDatasetStore(name, MIGRATIONS.slice(0, 1));
    await store.putDataset(meta('kept'));
    await store.close();
    const seen: number[] = [];
    const v2: Migration = { version: 2, what: 'test: an index on rows by source', up: (_db, tx) => { seen.push(2); tx.objectStore('rows').createIndex('bySource', 'source'); } };
    const reopened = await openIdbDatasetStore(name, [...MIGRATIONS.slice(0, 1), v2]);
    expect(seen).toEqual([2]);
    expect((await reopened.getDataset('kept'))!.name).toBe('Dataset kept');
    await reopened.close();
    const raw = await openDB(name);
    expect(raw.version).toBe(2);
    expect([...raw.transaction('rows').store.indexNames]).toEqual(['bySource']);
    raw.close();
    await expect(openIdbDatasetStore('bad', [{ ...v2 }])).rejects.toThrow(/versions must be 1, 2, 3/);
  });
});

describe('IndexedDB connections shared with other tabs', () => {
  const v2: Migration = { version: 2, what: 'test: an index on rows by source', up: (_db, tx) => tx.objectStore('rows').createIndex('bySource', 'source') };

  it('an old tab closes its connection when a newer schema opens, and says to reload', async () => {
    const name = `tabs-${++dbCounter}`;
    const closed: string[] = [];
    const oldTab = await openIdbDatasetStore(name, MIGRATIONS.slice(0, 1), { onClosed: (r) => closed.push(r) });
    await oldTab.putDataset(meta('kept'));
    const newTab = await openIdbDatasetStore(name, [...MIGRATIONS.slice(0, 1), v2]);
    expect((await newTab.getDataset('kept'))!.name).toBe('Dataset kept');
    expect(closed).toEqual([expect.stringMatching(/upgraded by another tab .*reload this page/)]);
    await expect(oldTab.listDatasets()).rejects.toThrow(/reload this page/);
    await newTab.close();
  });

  it('rejects, instead of hanging, when a connection that ignores version changes blocks the upgrade', async () => {
    const name = `tabs-${++dbCounter}`;
    const raw = await openDB(name, 1, { upgrade: (db) => MIGRATIONS[0].up(db as never, undefined as never) });
    await expect(openIdbDatasetStore(name, [...MIGRATIONS.slice(0, 1), v2])).rejects.toThrow(/another open tab .*close the other tabs and reload/);
    raw.close();
    // The abandoned open completes now and must let go at once: a later upgrade is not blocked by it.
    await new Promise((ok) => setTimeout(ok, 20));
    let blocked = false;
    const later = await openDB(name, 3, { blocked: () => void (blocked = true) });
    expect(blocked).toBe(false);
    expect(later.version).toBe(3);
    later.close();
  });
});
