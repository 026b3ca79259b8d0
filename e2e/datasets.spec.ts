import { expect, test, type Page } from '@playwright/test';
import { startFakeServer, type FakeServer } from '../src/data/teacher/scripted-server.testing';

// The Datasets page against the built app: the sample loads into IndexedDB on first visit, the inspector searches,
// shows and edits rows, and a teacher run against a scripted OpenAI-compatible server on 127.0.0.1 adds rows.

async function openDatasets(page: Page) {
  await page.goto('/#/datasets');
  await expect(page.getByTestId('page-datasets')).toHaveAttribute('data-status', 'ready');
}

async function rowsShown(page: Page): Promise<{ shown: number; total: number }> {
  const text = (await page.getByTestId('rows-shown').textContent()) ?? '';
  const m = /(\d+) of (\d+) rows/.exec(text);
  if (!m) throw new Error(`unexpected rows counter "${text}"`);
  return { shown: Number(m[1]), total: Number(m[2]) };
}

test('the sample loads, search filters, a row shows its label and rationale, and a bad edit shows its problem path', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openDatasets(page);
  await expect(page.getByText('synthetic sample data')).toBeVisible();
  const { total } = await rowsShown(page);
  expect(total).toBeGreaterThanOrEqual(1000);

  const search = page.getByRole('searchbox', { name: 'Search rows' });
  await search.fill('no question says this 9f8e7d');
  await expect(page.getByTestId('rows-shown')).toHaveText(`0 of ${total} rows`);
  await search.fill('Latin America');
  await expect.poll(async () => (await rowsShown(page)).shown).toBeGreaterThan(0);
  const { shown } = await rowsShown(page);
  expect(shown).toBeLessThan(total);
  const firstQuestion = page.getByTestId('rows-table').locator('tbody tr').first().locator('td.q');
  await firstQuestion.click();

  const detail = page.getByTestId('row-detail');
  await expect(detail.getByTestId('detail-label')).toContainText('"query"');
  await expect(detail.getByTestId('detail-rationale')).toContainText('Fields');
  await expect(detail.getByTestId('label-valid')).toBeVisible();

  await detail.getByRole('button', { name: 'Edit' }).click();
  await detail.getByRole('textbox', { name: 'Label' }).fill('{"query": {"term": {"regoin": "Europe"}}}');
  await expect(detail.getByTestId('label-problems')).toContainText('$.query.term.regoin');
  await detail.getByRole('button', { name: 'Save' }).click();
  await expect(detail.getByTestId('label-problems')).toContainText('$.query.term.regoin');
  await expect(detail.getByTestId('detail-label').locator('.json-key').first()).toHaveText('"query"');
  // The edit is stored: after a reload the row is still invalid.
  await page.reload();
  await expect(page.getByTestId('page-datasets')).toHaveAttribute('data-status', 'ready');
  await page.getByRole('combobox', { name: 'Validity' }).selectOption('invalid');
  await expect(page.getByTestId('rows-shown')).toHaveText(`1 of ${total} rows`);
  expect(errors).toEqual([]);
});

test('import lists bad rows with line and reason and adds the good ones; export downloads JSONL', async ({ page }) => {
  await openDatasets(page);
  const { total } = await rowsShown(page);
  const existing = (await page.getByTestId('rows-table').locator('tbody tr').first().locator('td.q').textContent()) ?? '';
  const lines = [
    JSON.stringify({ question: 'Orders from Europe imported in e2e', label: '{"query": {"term": {"region": "Europe"}}}', rationale: 'term on region' }),
    '{"question": "broken line", ',
    JSON.stringify({ question: 'Orders by planet', label: '{"query": {"term": {"planet": "Mars"}}}', rationale: 'no such field' }),
    JSON.stringify({ question: existing, label: '{"query": {"match_all": {}}}', rationale: 'already there' }),
    JSON.stringify({ question: 'No rationale here', label: '{"query": {"match_all": {}}}' }),
  ];
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('Import file').setInputFiles({ name: 'rows.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(dialog.getByRole('combobox', { name: 'Column for Question' })).toHaveValue('question');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByTestId('import-summary')).toContainText('Imported 1 rows from rows.jsonl; 4 bad rows');
  const problems = dialog.getByTestId('import-problems');
  await expect(problems.locator('tbody tr')).toHaveCount(4);
  await expect(problems.locator('tbody tr').nth(0)).toContainText('2unparseable');
  await expect(problems).toContainText('label not valid Query DSL');
  await expect(problems).toContainText('$.query.term.planet');
  await expect(problems).toContainText('duplicate question');
  await expect(problems).toContainText('missing field');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('rows-shown')).toHaveText(`${total + 1} of ${total + 1} rows`);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'JSONL' }).click();
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const exported = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  expect(exported).toHaveLength(total + 1);
  expect(exported.find((r) => r.question === 'Orders from Europe imported in e2e')).toMatchObject({ label: '{"query": {"term": {"region": "Europe"}}}', source: 'import' });
  expect(['train', 'eval']).toContain(exported[0].split);
});

const bigJsonl = (count: number) =>
  Buffer.from(
    Array.from({ length: count }, (_, i) => JSON.stringify({ question: `Bulk question ${i} about orders in region ${i % 7}?`, label: '{"query": {"term": {"region": "Europe"}}}', rationale: `Step ${i}: filter region.` })).join('\n') + '\n',
  );

test('Cancel import stops it and leaves the dataset exactly as before', async ({ page }) => {
  await openDatasets(page);
  const { total } = await rowsShown(page);
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('Import file').setInputFiles({ name: 'big.jsonl', mimeType: 'application/x-ndjson', buffer: bigJsonl(60_000) });
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toHaveAttribute('data-phase', 'parsing');
  await dialog.getByRole('button', { name: 'Cancel import' }).click();
  await expect(dialog.getByTestId('import-message')).toHaveText(/^Import cancelled; nothing was added to “.+” \(it is exactly as before\)\.$/, { timeout: 5000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('rows-shown')).toHaveText(`${total} of ${total} rows`);
  await page.reload(); // and nothing was stored
  await expect(page.getByTestId('page-datasets')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('rows-shown')).toHaveText(`${total} of ${total} rows`);
});

test('leaving the Datasets page during an import keeps it running, with its progress in the navigation', async ({ page }) => {
  await openDatasets(page);
  const { total } = await rowsShown(page);
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('Import file').setInputFiles({ name: 'big.jsonl', mimeType: 'application/x-ndjson', buffer: bigJsonl(20_000) });
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('navigation', { name: 'Studio' }).getByRole('button', { name: 'Models' }).click();
  const status = page.getByTestId('import-status');
  await expect(status).toBeVisible();
  await expect(status).toHaveText('Imported 20000 rows from big.jsonl');
  await status.click();
  await expect(page.getByTestId('import-summary')).toContainText('Imported 20000 rows from big.jsonl; 0 bad rows');
  await page.getByTestId('import-dialog').getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('rows-shown')).toHaveText(`${total + 20_000} of ${total + 20_000} rows`);
});

test('rows with script and HTML payloads render as text and nothing executes; the build ships a CSP', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { cspViolations: string[] }).cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { cspViolations: string[] }).cspViolations.push(e.violatedDirective));
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await openDatasets(page);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');
  const payloads = [
    '<img src=x onerror="window.pwned=1;alert(1)">',
    '<script>window.pwned=2;alert(2)</script>',
    '"><svg onload="window.pwned=3">',
  ];
  const lines = payloads.map((p, i) => JSON.stringify({ question: `XSS ${i} ${p}`, label: `{"query": {"match": {"notes": ${JSON.stringify(p)}}}}`, rationale: `Because ${p}` }));
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByLabel('Import file').setInputFiles({ name: 'xss.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
  await dialog.getByRole('checkbox').check(); // keep rows whose label is not valid for this schema too
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByTestId('import-summary')).toContainText('Imported 3 rows');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('searchbox', { name: 'Search rows' }).fill('XSS');
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < payloads.length; i++) {
    await page.getByRole('searchbox', { name: 'Search rows' }).fill(`XSS ${i}`);
    await rows.first().locator('td.q').click();
    const detail = page.getByTestId('row-detail');
    await expect(detail.getByTestId('detail-rationale')).toContainText(`Because ${payloads[i]}`);
    await expect(detail.getByTestId('detail-label')).toContainText('notes');
  }
  expect(await page.locator('#root img, #root script, #root svg[onload]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
});

test.describe('teacher', () => {
  let server: FakeServer;
  test.beforeAll(async () => {
    server = await startFakeServer((r) => ({
      replies: [`Rationale:\n1. region is a keyword field.\n2. Filter it with term.\n\`\`\`json\n{"query": {"term": {"region": "Europe"}}, "size": ${r.question.length}}\n\`\`\``],
      delayMs: 50,
    }));
  });
  test.afterAll(async () => {
    await server.close();
  });

  test('a teacher run against a local OpenAI-compatible server adds rows; its API key is in no stored byte or export', async ({ page }) => {
    await openDatasets(page);
    const { total } = await rowsShown(page);
    await page.getByRole('tab', { name: 'Teacher' }).click();
    await page.getByRole('textbox', { name: 'Base URL' }).fill(server.baseUrl);
    await page.getByRole('textbox', { name: 'Model' }).fill('e2e-teacher');
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('textbox', { name: 'Questions' }).fill('Which orders came from Europe?\nHow many orders came from Europe last month?');
    await expect(page.getByTestId('question-count')).toContainText('2 to ask');
    await page.getByRole('button', { name: 'Run teacher' }).click();
    await expect(page.getByTestId('teacher-outcome')).toContainText('Finished: 2 answered');
    await expect(page.getByTestId('teacher-usage')).toContainText('240 total');
    expect(server.requests.map((r) => r.question).sort()).toEqual(['How many orders came from Europe last month?', 'Which orders came from Europe?']);

    await page.getByRole('tab', { name: 'Rows' }).click();
    await page.getByRole('combobox', { name: 'Source' }).selectOption('teacher');
    await expect(page.getByTestId('rows-shown')).toHaveText(`2 of ${total + 2} rows`);
    await page.getByTestId('rows-table').getByText('Which orders came from Europe?').click();
    await expect(page.getByTestId('detail-rationale')).toContainText('region is a keyword field.');
    await expect(page.getByTestId('label-valid')).toBeVisible();

    // The key was sent to the teacher, and written nowhere: not in IndexedDB (datasets, rows, settings, runs), not
    // in localStorage (the key was not "remembered"), not in the JSONL or CSV export of the new rows.
    expect(server.requests.every((r) => r.authorization === `Bearer ${API_KEY}`)).toBe(true);
    const stored = await page.evaluate(dumpStorage);
    expect(stored.length).toBeGreaterThan(1000);
    expect(stored).toContain('Which orders came from Europe?');
    expect(stored).not.toContain(API_KEY);
    const { readFileSync } = await import('node:fs');
    for (const format of ['JSONL', 'CSV']) {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: format, exact: true }).click();
      const exported = readFileSync(await (await download).path(), 'utf8');
      expect(exported).toContain('Which orders came from Europe?');
      expect(exported).not.toContain(API_KEY);
    }
  });
});

const API_KEY = 'sk-e2e-7f3a9c-never-stored';

/** Every IndexedDB record of the page's origin (bytes decoded as text) and localStorage, as one text to search. */
async function dumpStorage(): Promise<string> {
  const asText = (_key: string, v: unknown) => (ArrayBuffer.isView(v) ? new TextDecoder('latin1').decode(v as Uint8Array) : v instanceof ArrayBuffer ? new TextDecoder('latin1').decode(v) : v);
  const request = <T,>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
  const out = [JSON.stringify({ ...localStorage })];
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await request(indexedDB.open(info.name));
    for (const name of Array.from(db.objectStoreNames)) out.push(JSON.stringify(await request(db.transaction(name).objectStore(name).getAll()), asText));
    db.close();
  }
  return out.join('\n');
}
