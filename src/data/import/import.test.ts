import { describe, expect, it } from 'vitest';
import { toCsv, toJsonl } from '../export';
import type { IndexSchema } from '../records';
import { SAMPLE_SCHEMA } from '../sample/schema';
import { createImportService, importRows, previewImport, toDatasetRows, type ImportOptions, type ImportResult } from './index';

const schema: IndexSchema = SAMPLE_SCHEMA;
const good = (q: string, extra = ''): string =>
  JSON.stringify({ question: q, label: '{"query":{"term":{"region":"Europe"}},"size":5}', rationale: `Filter region.${extra}` });

async function* pieces(text: string, sizes: number[]): AsyncGenerator<string> {
  let i = 0;
  for (let k = 0; i < text.length; k++) {
    const n = sizes[k % sizes.length];
    yield text.slice(i, i + n);
    i += n;
  }
}

function byteStream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const summary = (r: ImportResult): unknown => ({
  rows: r.rows.map(({ line, question, label, rationale, id }) => ({ line, question, label, rationale, id })),
  problems: r.problems.map(({ line, reason }) => ({ line, reason })),
});

describe('importRows: JSONL', () => {
  const text = [
    good('How many orders in Europe?'),
    '',
    '{"question": "broken", ',
    JSON.stringify({ question: 'No rationale', label: '{"size":0}' }),
    JSON.stringify({ question: 'Bad JSON label', label: '{"size":0', rationale: 'r' }),
    JSON.stringify({ question: 'Bad field', label: '{"query":{"term":{"regoin":"Europe"}}}', rationale: 'r' }),
    good('how many orders in Europe', ' again'),
    JSON.stringify({ question: 'Object label', label: { size: 0, track_total_hits: true }, rationale: 'Count.' }),
    '[1, 2]',
  ].join('\n') + '\n';

  it('imports valid rows and lists every bad one with line and reason', async () => {
    const r = await importRows(text, { schema, fileName: 'x.jsonl' });
    expect(r.format).toBe('jsonl');
    expect(r.mapping).toEqual({ question: 'question', label: 'label', rationale: 'rationale' });
    expect(summary(r)).toEqual({
      rows: [
        { line: 1, question: 'How many orders in Europe?', label: '{"query":{"term":{"region":"Europe"}},"size":5}', rationale: 'Filter region.', id: undefined },
        { line: 8, question: 'Object label', label: '{"size":0,"track_total_hits":true}', rationale: 'Count.', id: undefined },
      ],
      problems: [
        { line: 3, reason: 'unparseable' },
        { line: 4, reason: 'missing-field' },
        { line: 5, reason: 'label-not-json' },
        { line: 6, reason: 'label-invalid-dsl' },
        { line: 7, reason: 'duplicate-question' },
        { line: 9, reason: 'unparseable' },
      ],
    });
    expect(r.problems[1].message).toBe('missing or empty: rationale (column "rationale")');
    expect(r.problems[2].message).toMatch(/label is not JSON: .*line 1, column 10/);
    expect(r.problems[3].message).toMatch(/\$\.query\.term\.regoin: unknown field "regoin".*did you mean "region"/);
    expect(r.problems[4].message).toBe('same question as line 1');
    expect(r.problems[5].message).toMatch(/must be a JSON object, got an array/);
  });

  it('gives the same result for any chunking, as strings or as UTF-8 bytes', async () => {
    const uni = text.replace('Object label', 'Objekt-Label für São Paulo €');
    const whole = summary(await importRows(uni, { schema }));
    for (const sizes of [[1], [2, 3], [7], [64, 1, 5]]) {
      expect(summary(await importRows(pieces(uni, sizes), { schema }))).toEqual(whole);
    }
    for (const size of [1, 3, 5, 1000]) expect(summary(await importRows(byteStream(uni, size), { schema }))).toEqual(whole);
  });

  it('keeps rows with bad labels when asked, and counts questions already in the dataset as duplicates', async () => {
    const r = await importRows(text, { schema, invalidLabels: 'keep', existingQuestions: ['OBJECT LABEL'] });
    expect(r.rows.map((x) => [x.line, x.validity.parses, x.validity.valid])).toEqual([[1, true, true], [5, false, false], [6, true, false]]);
    expect(r.problems.find((p) => p.line === 8)).toMatchObject({ reason: 'duplicate-question', message: 'the dataset already has this question' });
  });
});

describe('importRows: row ids from the file', () => {
  it('reports a repeated id instead of importing a row that would overwrite an earlier one', async () => {
    const row = (id: string, q: string) => JSON.stringify({ id, question: q, label: '{"size":0}', rationale: 'r' });
    const r = await importRows([row('a', 'first'), row('b', 'second'), row('a', 'third'), row(' b ', 'second')].join('\n'), { schema, fileName: 'x.jsonl' });
    expect(r.mapping.id).toBe('id');
    expect(summary(r)).toEqual({
      rows: [
        { line: 1, question: 'first', label: '{"size":0}', rationale: 'r', id: 'a' },
        { line: 2, question: 'second', label: '{"size":0}', rationale: 'r', id: 'b' },
      ],
      problems: [
        { line: 3, reason: 'duplicate-id' },
        { line: 4, reason: 'duplicate-question' },
      ],
    });
    expect(r.problems[0].message).toBe('id "a" is already used on line 1');
  });
});

describe('importRows: format from name and content', () => {
  it('reads a .json file that holds JSON Lines as JSONL, and a real JSON array as JSON', async () => {
    const lines = [good('first'), good('second')].join('\n');
    const r = await importRows(lines, { schema, fileName: 'rows.json' });
    expect(r.format).toBe('jsonl');
    expect(r.rows.map((x) => x.question)).toEqual(['first', 'second']);
    expect(r.problems).toEqual([]);
    expect(previewImport(lines, { fileName: 'rows.json' }).format).toBe('jsonl');
    const array = `[\n${[good('first'), good('second')].join(',\n')}\n]`;
    expect((await importRows(array, { schema, fileName: 'rows.json' })).format).toBe('json');
    expect((await importRows(lines, { schema, fileName: 'rows.csv' })).format).toBe('csv');
  });
});

describe('importRows: CSV', () => {
  const csv =
    'prompt,dsl,rationale,extra\r\n' +
    '"Sales in Europe, by year","{""query"":{""term"":{""region"":""Europe""}},""aggs"":{""y"":{""date_histogram"":{""field"":""date"",""calendar_interval"":""year""}}},""size"":0}","Step 1: filter.\r\nStep 2: histogram.",x\r\n' +
    'Orders over 5000,"{""query"":{""range"":{""amount"":{""gt"":5000}}}}",Range on amount,\r\n' +
    'too,few\r\n' +
    'Bad "quote" inside,"{""size"":1}"x,r,\r\n' +
    '\r\n' +
    '"Not closed,{},r,\r\n';

  it('parses RFC 4180 quoting, newlines in fields and the paper\'s prompt/dsl/rationale columns', async () => {
    const r = await importRows(csv, { schema });
    expect(r.format).toBe('csv');
    expect(r.columns).toEqual(['prompt', 'dsl', 'rationale', 'extra']);
    expect(r.mapping).toEqual({ question: 'prompt', label: 'dsl', rationale: 'rationale' });
    expect(summary(r)).toEqual({
      rows: [
        { line: 2, question: 'Sales in Europe, by year', label: '{"query":{"term":{"region":"Europe"}},"aggs":{"y":{"date_histogram":{"field":"date","calendar_interval":"year"}}},"size":0}', rationale: 'Step 1: filter.\r\nStep 2: histogram.', id: undefined },
        { line: 4, question: 'Orders over 5000', label: '{"query":{"range":{"amount":{"gt":5000}}}}', rationale: 'Range on amount', id: undefined },
      ],
      problems: [
        { line: 5, reason: 'unparseable' },
        { line: 6, reason: 'unparseable' },
        { line: 8, reason: 'unparseable' },
      ],
    });
    expect(r.problems[0].message).toBe('expected 4 fields (as in the header) but found 2');
    expect(r.problems[1].message).toMatch(/after a closing quote/);
    expect(r.problems[2].message).toMatch(/quoted field opened on line 8 is not closed/);
  });

  it('gives the same result for any chunking, with boundaries inside quoted fields', async () => {
    const whole = summary(await importRows(csv, { schema }));
    for (const sizes of [[1], [2], [3, 1], [11]]) expect(summary(await importRows(pieces(csv, sizes), { schema }))).toEqual(whole);
    for (const size of [1, 2, 7]) expect(summary(await importRows(byteStream(csv, size), { schema }))).toEqual(whole);
  });

  it('applies a user mapping, semicolon and tab delimiters, and explains a mapping it cannot make', async () => {
    const semi = 'Frage;Antwort;Begründung;Nr\nWie viele?;{"size":0};Zählen;a1\n';
    await expect(importRows(semi, { schema })).rejects.toThrow(/cannot tell which column holds the question and the label and the rationale: the columns are "Frage", "Antwort", "Begründung", "Nr"/);
    const r = await importRows(semi, { schema, mapping: { question: 'Frage', label: 'Antwort', rationale: 'Begründung', id: 'Nr' } });
    expect(summary(r)).toEqual({ rows: [{ line: 2, question: 'Wie viele?', label: '{"size":0}', rationale: 'Zählen', id: 'a1' }], problems: [] });
    const tsv = await importRows('question\tlabel\trationale\nQ?\t{"size":0}\tR\n', { schema });
    expect(tsv.rows).toHaveLength(1);
    const questionsOnly = await importRows('question\nFirst?\nSecond?\n', { require: ['question'] });
    expect(questionsOnly.rows.map((x) => x.question)).toEqual(['First?', 'Second?']);
  });
});

describe('importRows: JSON array', () => {
  const json = `[\n  {"question": "Q1", "label": "{\\"size\\":0}", "rationale": "r1"},\n  {"question": "Q2",\n   "label": {"size": 1}, "rationale": "r2 ] } , tricky"},\n  42,\n  {"question": "Q3" "label": 1}\n]\n`;

  it('reads elements with their starting lines and isolates bad elements', async () => {
    const r = await importRows(json, { schema });
    expect(r.format).toBe('json');
    expect(summary(r)).toEqual({
      rows: [
        { line: 2, question: 'Q1', label: '{"size":0}', rationale: 'r1', id: undefined },
        // An object label is stored as the file wrote it (spacing included), not re-serialized.
        { line: 3, question: 'Q2', label: '{"size": 1}', rationale: 'r2 ] } , tricky', id: undefined },
      ],
      problems: [{ line: 5, reason: 'unparseable' }, { line: 6, reason: 'unparseable' }],
    });
    for (const sizes of [[1], [2, 5], [9]]) expect(summary(await importRows(pieces(json, sizes), { schema }))).toEqual(summary(r));
    const cut = await importRows(json.slice(0, 100), { schema });
    expect(cut.problems.at(-1)).toMatchObject({ line: 3, reason: 'unparseable', message: 'the JSON array is not closed (file cut short?)' });
  });
});

describe('progress, cancellation, preview, export round trip', () => {
  const many = Array.from({ length: 3000 }, (_, i) => good(`Question number ${i}?`)).join('\n');

  it('reports monotonic progress and can be cancelled', async () => {
    const seen: number[] = [];
    const r = await importRows(byteStream(many, 4096), { schema, totalBytes: many.length, onProgress: (p) => seen.push(p.consumed) });
    expect(r.rows).toHaveLength(3000);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(many.length);

    const controller = new AbortController();
    const options: ImportOptions = { schema, signal: controller.signal, onProgress: (p) => p.rows > 100 && controller.abort() };
    await expect(importRows(byteStream(many, 4096), options)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('previews the head of a file for the mapping step', () => {
    const p = previewImport('\uFEFFprompt,dsl,rationale\n"a, b","{}",r\nc,"{', { maxRecords: 5 });
    expect(p).toEqual({ format: 'csv', columns: ['prompt', 'dsl', 'rationale'], detected: { question: 'prompt', label: 'dsl', rationale: 'rationale' }, sample: [{ prompt: 'a, b', dsl: '{}', rationale: 'r' }], delimiter: ',' });
    expect(previewImport(many.slice(0, 500), { maxRecords: 2 }).sample).toHaveLength(2);
  });

  it('round-trips JSONL and CSV exports, quotes and newlines included', async () => {
    const rows = [
      { id: 'a', question: 'Sales, "quoted", in Europe?', label: '{"query":{"match":{"notes":"a \\"b\\", c"}}}', rationale: 'Line 1\nLine 2, with comma' },
      { id: 'b', question: 'Plain question', label: '{"size":0}', rationale: 'r' },
      { id: '@c', question: '=HYPERLINK("http://x")', label: '{"size":1}', rationale: "-1. Fields: none.\n+2. '=kept" },
      { id: 'd', question: "'=already quoted", label: '{"size":2}', rationale: "'plain quote" },
    ];
    // No cell of the CSV starts a formula.
    const csvText = toCsv(rows);
    expect(csvText).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csvText).toContain(`'@c,`);
    expect(csvText).toContain(`,''=already quoted,`);
    expect(csvText.split(/,|\r\n/).filter((c) => /^"?[=+\-@]/.test(c))).toEqual([]);
    for (const [text, fileName] of [[toJsonl(rows), 'out.jsonl'], [csvText, 'out.csv']]) {
      const r = await importRows(text, { schema, fileName });
      expect(r.problems).toEqual([]);
      expect(r.rows.map(({ id, question, label, rationale }) => ({ id, question, label, rationale }))).toEqual(rows);
    }
    const dataset = toDatasetRows((await importRows(toJsonl(rows), { schema, mapping: { id: 'none' } })).rows, 'ds', 5);
    expect(dataset[0]).toMatchObject({ datasetId: 'ds', source: 'import', status: 'pending', createdAt: 5 });
    expect(dataset[0].id).toMatch(/^q-/);
  });

  it('imports a Blob through the worker service with progress', async () => {
    const service = createImportService();
    const blob = new Blob([many]);
    const preview = await service.preview(blob, { fileName: 'rows.jsonl' });
    expect(preview.detected).toEqual({ question: 'question', label: 'label', rationale: 'rationale' });
    const progress: number[] = [];
    const r = await service.importFile(blob, { schema, fileName: 'rows.jsonl' }, (p) => progress.push(p.consumed));
    expect(r.rows).toHaveLength(3000);
    expect(progress.at(-1)).toBe(blob.size);
  });
});
