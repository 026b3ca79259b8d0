import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { openIdbDatasetStore } from '../../hosts/browser/idb-dataset-store';
import { resetDatasets, useDatasets } from './datasets-slice';
import { testDatasetMeta } from './test-dataset.testing';

const META = testDatasetMeta({ synthetic: true });

const row = (id: string, label = '{"query": {"term": {"region": "EU"}}}'): DatasetRow => ({
  id,
  datasetId: 'ds',
  question: `question ${id}`,
  label,
  rationale: 'r',
  source: 'import',
  status: 'pending',
  validity: { parses: true, valid: true, problems: [] },
  createdAt: 1,
  updatedAt: 1,
});

let n = 0;
async function ready() {
  const store = await openIdbDatasetStore(`slice-test-${n++}`);
  await useDatasets.getState().init(store, async (s) => {
    await s.putDataset(META);
    await s.putRows([row('a'), row('b')]);
  });
  return store;
}

afterEach(async () => {
  await useDatasets.getState().store?.close();
  resetDatasets();
});

describe('datasets slice', () => {
  it('seeds an empty store once and opens the dataset', async () => {
    const store = await ready();
    const s = useDatasets.getState();
    expect(s.status).toBe('ready');
    expect(s.currentId).toBe('ds');
    expect(s.rows.map((r) => r.id)).toEqual(['a', 'b']);
    // A second init over a non-empty store does not seed again.
    resetDatasets();
    await useDatasets.getState().init(store, async () => {
      throw new Error('must not seed twice');
    });
    expect(useDatasets.getState().status).toBe('ready');
  });

  it('re-validates an edited label against the schema and stores it', async () => {
    const store = await ready();
    const next = await useDatasets.getState().editRow('a', { label: '{"query": {"term": {"regoin": "EU"}}}' });
    expect(next.validity.valid).toBe(false);
    expect(next.validity.problems[0].path).toBe('$.query.term.regoin');
    expect((await store.getRow('ds', 'a'))?.validity.valid).toBe(false);
    expect(useDatasets.getState().current!.version).toBeGreaterThan(META.version);
  });

  it('accepts, rejects and deletes rows in memory and in the store', async () => {
    const store = await ready();
    await useDatasets.getState().setStatus('a', 'accepted');
    await useDatasets.getState().setStatus('b', 'rejected');
    expect((await store.getRow('ds', 'a'))?.status).toBe('accepted');
    useDatasets.getState().selectRow('b');
    await useDatasets.getState().deleteRow('b');
    expect(useDatasets.getState().selectedRowId).toBeNull();
    expect(useDatasets.getState().rows.map((r) => r.id)).toEqual(['a']);
    expect(await store.countRows('ds')).toBe(1);
  });

  it('adds rows (teacher, import) to the open dataset', async () => {
    const store = await ready();
    await useDatasets.getState().addRows([row('c'), { ...row('a'), rationale: 'replaced' }]);
    expect(useDatasets.getState().rows.map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);
    expect(useDatasets.getState().rows.find((r) => r.id === 'a')?.rationale).toBe('replaced');
    expect(await store.countRows('ds')).toBe(3);
  });

  it('filters reset the page', () => {
    useDatasets.getState().setPage(3);
    useDatasets.getState().setFilters({ text: 'x' });
    expect(useDatasets.getState()).toMatchObject({ page: 0, filters: { text: 'x' } });
  });

  it('keeps the dataset opened last when an earlier open replies later', async () => {
    const store = await ready();
    await useDatasets.getState().createDataset({ ...META, id: 'other', name: 'other' });
    // The first dataset's rows arrive slowly; the second's at once.
    const slow = Object.create(store) as typeof store;
    slow.listRows = async (id, q) => {
      if (id === 'ds') await new Promise((ok) => setTimeout(ok, 50));
      return store.listRows(id, q);
    };
    useDatasets.setState({ store: slow });
    await Promise.all([useDatasets.getState().openDataset('ds'), useDatasets.getState().openDataset('other')]);
    expect(useDatasets.getState().currentId).toBe('other');
    expect(useDatasets.getState().rows).toEqual([]);
    useDatasets.setState({ store });
  });
});

