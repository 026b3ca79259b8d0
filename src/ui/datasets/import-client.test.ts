import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { importedRowId } from '../../data/import';
import { avoidIdCollisions, importSummary } from './import-client';

const row = (id: string, question: string) => ({ id, question }) as DatasetRow;

describe('avoidIdCollisions', () => {
  it('re-ids only rows whose id names a different existing question', () => {
    const existing = new Map([['a', 'old question'], ['b', 'same question']]);
    const out = avoidIdCollisions([row('a', 'new question'), row('b', 'same question'), row('c', 'other')], existing);
    expect(out[0].id).not.toBe('a');
    expect(out[0].id).toMatch(/^q-/);
    expect(out.slice(1).map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('never gives two rows of one import the same id, nor an id an edited stored row still holds', () => {
    const q = (question: string) => importedRowId(question);
    // A stored row imported as "top regions" and edited since: it keeps the hash id of its old question.
    const existing = new Map([[q('top regions'), 'top regions by amount']]);
    const rows = [
      row(q('top regions'), 'top regions'),
      row('x', 'first'),
      row('x', 'second'),
      row(`${q('second')}`, 'third'),
    ];
    const out = avoidIdCollisions(rows, existing);
    const ids = out.map((r) => r.id);
    expect(new Set([...ids, ...existing.keys()]).size).toBe(ids.length + existing.size);
    expect(out.map((r) => r.question)).toEqual(['top regions', 'first', 'second', 'third']);
    expect(ids[1]).toBe('x');
    expect(ids[0]).toBe(`${q('top regions')}-2`);
  });
});

describe('importSummary', () => {
  const problems = [
    { line: 2, reason: 'label-invalid-dsl', message: '' },
    { line: 3, reason: 'label-not-json', message: '' },
    { line: 4, reason: 'duplicate-question', message: '' },
  ] as const;
  it('does not count rows kept with invalid labels as not imported', () => {
    expect(importSummary(5, 'a.jsonl', problems, true)).toBe('Imported 5 rows from a.jsonl; 2 of them with an invalid label (marked invalid, to fix in the inspector); 1 bad rows not imported.');
    expect(importSummary(3, 'a.jsonl', problems, false)).toBe('Imported 3 rows from a.jsonl; 3 bad rows not imported.');
  });
});

