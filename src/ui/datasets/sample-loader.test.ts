import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../../data/records';
import { openIdbDatasetStore } from '../../hosts/browser/idb-dataset-store';
import { sampleDataset, SAMPLE_DATASET_ID, storeDataset } from './sample-loader';

describe('sampleDataset', () => {
  it('turns the committed sample files into a synthetic dataset whose rows all validate', () => {
    const jsonl = readFileSync('public/sample/sales-reports.jsonl', 'utf8');
    const schema = JSON.parse(readFileSync('public/sample/sales-reports.schema.json', 'utf8')) as IndexSchema;
    const { meta, rows } = sampleDataset(jsonl, schema, 1000);
    expect(meta).toMatchObject({ id: SAMPLE_DATASET_ID, synthetic: true, splitSeed: 42, trainFraction: 0.8 });
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const invalid = rows.filter((r) => !r.validity.valid);
    expect(invalid.map((r) => [r.id, r.validity.problems])).toEqual([]);
    expect(rows.every((r) => r.datasetId === SAMPLE_DATASET_ID && r.question && r.rationale)).toBe(true);
  });
  it('names the line that is not JSON', () => {
    expect(() => sampleDataset('{"id":"a","question":"q","label":"{}","rationale":""}\nnope\n', { index: 'i', description: '', fields: [] })).toThrow(/line 2/);
  });
});

describe('storeDataset', () => {
  it('leaves no empty dataset behind when the rows cannot be stored', async () => {
    const store = await openIdbDatasetStore('sample-loader-test');
    const { meta, rows } = sampleDataset('{"id":"a","question":"q","label":"{}","rationale":"r"}\n', { index: 'i', description: '', fields: [] });
    const full = Object.create(store) as typeof store;
    full.putRows = async () => {
      throw new Error('QuotaExceededError');
    };
    await expect(storeDataset(full, meta, rows)).rejects.toThrow('QuotaExceededError');
    expect(await store.listDatasets()).toEqual([]);
    await storeDataset(store, meta, rows);
    expect(await store.countRows(meta.id)).toBe(1);
    await store.close();
  });
});

