import 'fake-indexeddb/auto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { reliabilityRecord } from '../../testing/reliability';
import { createImportService, type ImportResult } from '../../data/import';
import { openIdbDatasetStore } from '../../hosts/browser/idb-dataset-store';
import { resetDatasets, useDatasets } from './datasets-slice';
import { useImportJob, type ImportConnection } from './import-job';
import { testDatasetMeta } from './test-dataset.testing';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

let n = 0;
async function openDataset() {
  const store = await openIdbDatasetStore(`import-job-${n++}`);
  await useDatasets.getState().init(store, (s) => s.putDataset(testDatasetMeta()));
  return store;
}

function inThread(): ImportConnection {
  const service = createImportService();
  return { importFile: (f, o, p) => service.importFile(f, o, p), close: () => service.cancel() };
}

const lines = (count: number) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ question: `Question ${i}?`, label: '{"size":0}', rationale: 'r' })).join('\n');

afterEach(async () => {
  useImportJob.getState().dismiss();
  await useDatasets.getState().store?.close();
  resetDatasets();
});

const start = (file: Blob, connect: () => ImportConnection = inThread) =>
  useImportJob.getState().start({ file, fileName: 'rows.jsonl', datasetId: 'ds', datasetName: 'test', options: { fileName: 'rows.jsonl' }, connect });

describe('import job', () => {
  it('cancel during parsing adds nothing and says so', async () => {
    const store = await openDataset();
    let cancelledAt = -1;
    const unsubscribe = useImportJob.subscribe((s) => {
      const rows = s.job?.progress?.rows ?? 0;
      if (s.job?.phase === 'parsing' && rows > 0 && cancelledAt < 0) {
        cancelledAt = rows;
        useImportJob.getState().cancel();
      }
    });
    await start(new Blob([lines(60_000)]));
    unsubscribe();
    expect(cancelledAt).toBeGreaterThan(0);
    const job = useImportJob.getState().job!;
    expect(job.phase).toBe('cancelled');
    expect(job.message).toBe('Import cancelled; nothing was added to “test” (it is exactly as before).');
    const stored = await store.listRows('ds');
    expect(stored).toEqual([]);
    expect(useDatasets.getState().rows).toEqual([]);
    record.add({ area: 'dataset import (cancel, leaving the page)', input: `Cancel pressed during a 60,000-row JSONL import (at ${cancelledAt} rows parsed)`, cases: 1, outcome: `${stored.length} rows stored; "${job.message}"` });
  });

  it('a result that arrives after cancel is never written', async () => {
    const store = await openDataset();
    let finish: (r: ImportResult) => void = () => undefined;
    const late: ImportConnection = { importFile: () => new Promise((resolve) => (finish = resolve)), close: () => undefined };
    const running = start(new Blob(['x']), () => late);
    useImportJob.getState().cancel();
    finish({ format: 'jsonl', columns: [], mapping: {}, rows: [{ line: 1, question: 'q', label: '{}', rationale: 'r', validity: { parses: true, valid: true, problems: [] } }], problems: [], notes: [] });
    await running;
    expect(useImportJob.getState().job?.phase).toBe('cancelled');
    expect(await store.listRows('ds')).toEqual([]);
  });

  it('runs to the end without the page: rows written once, report kept until dismissed', async () => {
    const store = await openDataset();
    await start(new Blob([lines(500)]));
    const job = useImportJob.getState().job!;
    expect([job.phase, job.added, job.result?.rows.length]).toEqual(['done', 500, 500]);
    expect(await store.listRows('ds')).toHaveLength(500);
    record.add({ area: 'dataset import (cancel, leaving the page)', input: 'an import left to run without its page (no dialog mounted)', cases: 1, outcome: `${job.phase}: ${job.added} of 500 rows written once, report kept until closed` });
    expect(useDatasets.getState().rows).toHaveLength(500);
    await expect(start(new Blob([lines(1)]))).resolves.toBeUndefined(); // a finished job does not block the next
  });

  it('a second import while one runs is refused', async () => {
    await openDataset();
    const never: ImportConnection = { importFile: () => new Promise(() => undefined), close: () => undefined };
    void start(new Blob(['x']), () => never);
    await expect(start(new Blob(['x']))).rejects.toThrow(/an import is already running/);
    useImportJob.getState().cancel();
  });
});
