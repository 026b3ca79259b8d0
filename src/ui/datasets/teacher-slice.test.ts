import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openIdbDatasetStore } from '../../hosts/browser/idb-dataset-store';
import { DEFAULT_PROMPT_TEMPLATE } from '../../data/teacher';
import { startFakeServer, type FakeServer } from '../../data/teacher/scripted-server.testing';
import { resetDatasets, useDatasets } from './datasets-slice';
import { testDatasetMeta } from './test-dataset.testing';
import { useTeacher } from './teacher-slice';

const META = testDatasetMeta();
const KEY = 'sk-ui-7d1e5f3c9a';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  await useDatasets.getState().store?.close();
  resetDatasets();
});

describe('teacher run from the Datasets page state', () => {
  it('adds answered questions to the open dataset, resumes without re-asking, and stores no key', async () => {
    server = await startFakeServer((r) => ({ replies: [`Rationale: use ${r.authorization}.\n{"query": {"term": {"region": "EU"}}}`], delayMs: 5 }));
    const store = await openIdbDatasetStore('teacher-slice-test');
    await useDatasets.getState().init(store, (s) => s.putDataset(META));
    useTeacher.getState().setConfig({ baseUrl: server.baseUrl, model: 'm', apiKey: KEY, concurrency: 2, maxRetries: 0 });
    useTeacher.getState().setQuestionsText('Sales in EU\nSales in US\n\nsales in eu');
    await useTeacher.getState().start();
    expect(useTeacher.getState().outcome).toMatch(/^Finished: 2 answered/);
    expect(useDatasets.getState().rows.map((r) => r.question).sort()).toEqual(['Sales in EU', 'Sales in US']);

    useTeacher.getState().setQuestionsText('Sales in EU\nSales in US\nSales in Asia');
    await useTeacher.getState().start();
    expect(server.requests.map((r) => r.question).sort()).toEqual(['Sales in Asia', 'Sales in EU', 'Sales in US']);
    expect(useTeacher.getState().progress).toMatchObject({ total: 1, skipped: 2, answered: 1 });

    const stored = JSON.stringify({ rows: await store.listRows('ds'), meta: await store.listDatasets(), logs: useTeacher.getState().logs });
    expect(stored).not.toContain(KEY);
    expect(stored).toContain('[redacted]');
  });

  it('a second start while the first is saving the template does not start a second run', async () => {
    server = await startFakeServer(() => ({ replies: ['Rationale: r.\n{"query": {"term": {"region": "EU"}}}'], delayMs: 5 }));
    const store = await openIdbDatasetStore('teacher-slice-double-click');
    await useDatasets.getState().init(store, (s) => s.putDataset(META));
    useTeacher.getState().setConfig({ baseUrl: server.baseUrl, model: 'm', apiKey: KEY, concurrency: 1, maxRetries: 0 });
    // A changed template makes start() await saveTask before the run begins: the window a double click hits.
    useTeacher.getState().setTemplate(`Be brief.\n${DEFAULT_PROMPT_TEMPLATE}`);
    useTeacher.getState().setQuestionsText('Sales in EU\nSales in US');
    await Promise.all([useTeacher.getState().start(), useTeacher.getState().start()]);
    expect(server.requests.map((r) => r.question).sort()).toEqual(['Sales in EU', 'Sales in US']);
    expect((await store.listRows('ds')).length).toBe(2);
    expect(useTeacher.getState().running).toBe(false);
    useTeacher.getState().setTemplate(DEFAULT_PROMPT_TEMPLATE);
  });

  it('says what is missing instead of starting', async () => {
    useTeacher.getState().setQuestionsText('a question');
    await useTeacher.getState().start();
    expect(useTeacher.getState().outcome).toMatch(/Open or create a dataset/);
  });

  it('"Could not run" never shows the API key (pasted into the wrong field, quoted back in a message)', async () => {
    const store = await openIdbDatasetStore('teacher-slice-could-not-run');
    await useDatasets.getState().init(store, (s) => s.putDataset(META));
    useTeacher.getState().setConfig({ baseUrl: `${KEY}`, model: 'm', apiKey: KEY });
    useTeacher.getState().setQuestionsText('a question');
    await useTeacher.getState().start();
    const outcome = useTeacher.getState().outcome ?? '';
    expect(outcome).toMatch(/^Could not run: teacher config: baseUrl must start with http/);
    expect(outcome).toContain('[redacted]');
    expect(outcome).not.toContain(KEY.slice(0, 8));
    useTeacher.getState().setConfig({ apiKey: '' });
  });
});
