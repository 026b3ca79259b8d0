// Property tests of dataset import on generated JSONL, JSON-array and CSV files: rows with hostile text (quotes,
// delimiters, newlines, braces, prototype-named columns), object labels (odd numbers, duplicate keys, nesting up to
// thousands deep), then random edits (characters deleted, inserted, lines cut). Whatever the input: no crash, no hang,
// the same result for any chunking, every record either imported or listed with its line and a message, and an
// object label imported exactly as its source text. Replay a failure with FC_SEED=<seed>.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toCsv } from '../export';
import { describeTally, fuzzSeed, reliabilityRecord, tallyAdd } from '../../testing/reliability';
import { importRows, type ImportResult } from './index';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

const RUNS = 10_000;

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('a"b', 'x""', '"', ',', '\n', '\r\n', '{', '}', ']', '[', '\\', '__proto__', 'constructor', '=1+1', "'=x", '\uFEFF', '\u2028') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('"', ',', '\n', '{', '}', 'a', ' ', ';', '\t'), { maxLength: 10 }).map((a) => a.join('')) },
);
const numberText = fc.constantFrom('1.0', '9007199254740993', '1e400', '-0', '0.1e-5', '12345678901234567890');
const deepLabel = fc.integer({ min: 200, max: 1200 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d));
/** JSON source text of a label object, kept as text so odd numbers and duplicate keys reach the importer as written. */
const objectLabel = fc.oneof(
  fc.constant('{"query":{"match_all":{}}}'),
  numberText.map((n) => `{"size": ${n}, "from": ${n}}`),
  fc.constant('{"size": 1, "size": 2}'),
  fc.json({ maxDepth: 3 }).filter((j) => j.startsWith('{')),
);
const column = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('question', 'label', 'rationale', 'id') }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'extra') });
const row = fc.record({
  question: text,
  label: fc.oneof({ weight: 10, arbitrary: fc.oneof(text.map((t) => JSON.stringify(t)), objectLabel) }, { weight: 1, arbitrary: deepLabel }),
  rationale: text,
  extra: fc.option(fc.tuple(column, text)),
  drop: fc.option(fc.constantFrom('question', 'label', 'rationale')),
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

/** A JSON object's source text with the label as written (a JSON string or an object literal). */
function jsonSource(r: Row): string {
  const parts: string[] = [];
  if (r.drop !== 'question') parts.push(`"question": ${JSON.stringify(r.question)}`);
  if (r.drop !== 'label') parts.push(`"label": ${r.label}`);
  if (r.drop !== 'rationale') parts.push(`"rationale": ${JSON.stringify(r.rationale)}`);
  if (r.extra) parts.push(`${JSON.stringify(r.extra[0])}: ${JSON.stringify(r.extra[1])}`);
  return `{${parts.join(', ')}}`;
}

const edit = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: fc.constantFrom('"', '}', '{', ',', '\n', ']', '[', '\\', '""', '\r') }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
);
function applyEdits(s: string, edits: readonly { op: 'delete' | 'insert' | 'cut'; at: number; n?: number; s?: string }[]): string {
  let out = s;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.op === 'delete') out = out.slice(0, at) + out.slice(at + (e.n ?? 1));
    else if (e.op === 'insert') out = out.slice(0, at) + (e.s ?? '') + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

async function* chunks(s: string, sizes: number[]): AsyncGenerator<string> {
  for (let i = 0, k = 0; i < s.length; k++) {
    const n = sizes[k % sizes.length];
    yield s.slice(i, i + n);
    i += n;
  }
}

const summary = (r: ImportResult) => ({ rows: r.rows.map((x) => [x.line, x.question, x.label, x.rationale]), problems: r.problems.map((p) => [p.line, p.reason, p.message]), notes: r.notes.length });

type Format = 'jsonl' | 'json' | 'csv';
function render(format: Format, rows: Row[]): string {
  if (format === 'jsonl') return rows.map(jsonSource).join('\n');
  if (format === 'json') return `[\n${rows.map(jsonSource).join(',\n')}\n]`;
  return toCsv(rows.map((r, i) => ({ id: `r${i}`, question: r.question, label: r.label, rationale: r.rationale })));
}

async function fuzz(format: Format) {
  const seed = fuzzSeed();
  const tally = new Map<string, number>();
  let slowest = 0;
  let records = 0;
  const started = performance.now();
  const arb = fc.tuple(fc.array(row, { maxLength: 6 }), fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(edit, { maxLength: 3 }) }), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 3 }));
  try {
    await fc.assert(
      fc.asyncProperty(arb, async ([rows, edits, sizes]) => {
        const source = applyEdits(render(format, rows), edits);
        const t = performance.now();
        let whole: ImportResult;
        try {
          whole = await importRows(source, { fileName: `fuzz.${format}` });
        } catch (e) {
          // The one refusal of a whole file: a CSV header without the columns to map (a typed Error with a message).
          if (!(e instanceof Error) || e.constructor !== Error || format !== 'csv') throw e;
          expect(e.message).toMatch(/^cannot tell which column holds the /);
          tallyAdd(tally, 'file refused: CSV header lacks a column to map');
          return;
        }
        slowest = Math.max(slowest, performance.now() - t);
        // Any chunking gives the same result.
        expect(summary(await importRows(chunks(source, sizes), { fileName: `fuzz.${format}` }))).toEqual(summary(whole));
        for (const p of whole.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
          tallyAdd(tally, `problem: ${p.reason}`);
        }
        for (const n of whole.notes) tallyAdd(tally, `note: ${n.kind}`);
        tallyAdd(tally, whole.rows.length > 0 ? 'files with rows imported' : 'files with no row imported');
        records += whole.rows.length + whole.problems.length;
        // Untouched JSON sources: each object label is imported exactly as written, or its row is reported.
        if (edits.length === 0 && format !== 'csv') {
          // Rows are matched by line, not by question: two rows may share a question.
          const firstLine = format === 'jsonl' ? 1 : 2;
          for (const imported of whole.rows) {
            const original = rows[imported.line - firstLine];
            if (original && original.drop === null && original.label.startsWith('{') && !original.extra) expect(imported.label).toBe(original.label.trim());
          }
          // A record naming a field it uses twice is reported, never read with one of the two picked.
          rows.forEach((r, i) => {
            if (r.extra && r.drop === null && ['question', 'label', 'rationale'].includes(r.extra[0])) {
              const line = format === 'jsonl' ? i + 1 : i + 2;
              expect(whole.problems.some((p) => p.line === line && p.reason === 'repeated-field') || !whole.rows.some((x) => x.line === line)).toBe(true);
            }
          });
        }
      }),
      { numRuns: RUNS, seed },
    );
  } catch (e) {
    throw new Error(`${format}: property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
  }
  const ms = performance.now() - started;
  record.add({
    area: `dataset import (${format === 'json' ? 'JSON array' : format.toUpperCase()})`,
    input: 'generated files of 0-6 rows: hostile text, object labels (odd numbers, duplicate keys, 1 in 11 nested 200-1,200 deep), missing and prototype-named columns; a third with random edits (characters deleted or inserted, cut short); each also read in random chunks',
    cases: RUNS,
    outcome: `no crash or hang, same result for every chunking (slowest file ${slowest.toFixed(1)} ms, ${ms.toFixed(0)} ms in all); ${records.toLocaleString('en-US')} records each imported or reported with a line: ${describeTally(tally)}`,
  });
}

describe('dataset import, fuzzed', () => {
  it('JSONL', () => fuzz('jsonl'));
  it('JSON array', () => fuzz('json'));
  it('CSV', () => fuzz('csv'));
});
