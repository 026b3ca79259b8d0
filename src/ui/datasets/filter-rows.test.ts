import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { filterRows, NO_FILTERS, pageOf } from './filter-rows';

const row = (id: string, over: Partial<DatasetRow>): DatasetRow => ({
  id,
  datasetId: 'd',
  question: 'q',
  label: '{}',
  rationale: '',
  source: 'import',
  status: 'pending',
  validity: { parses: true, valid: true, problems: [] },
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const rows = [
  row('a', { question: 'Sales in Europe last year' }),
  row('b', { question: 'Top products', source: 'teacher', validity: { parses: true, valid: false, problems: [{ path: '$.x', message: 'bad' }] } }),
  row('c', { question: 'Average amount', rationale: 'use the AMOUNT field', status: 'accepted' }),
];
const splits = new Map([['a', 'train' as const], ['b', 'eval' as const], ['c', 'train' as const]]);
const ids = (rs: DatasetRow[]) => rs.map((r) => r.id);

describe('filterRows', () => {
  it('searches question, label and rationale case-insensitively', () => {
    expect(ids(filterRows(rows, splits, { ...NO_FILTERS, text: 'europe' }))).toEqual(['a']);
    expect(ids(filterRows(rows, splits, { ...NO_FILTERS, text: ' amount ' }))).toEqual(['c']);
  });
  it('combines source, validity, split and status filters', () => {
    expect(ids(filterRows(rows, splits, { ...NO_FILTERS, source: 'teacher' }))).toEqual(['b']);
    expect(ids(filterRows(rows, splits, { ...NO_FILTERS, validity: 'valid' }))).toEqual(['a', 'c']);
    expect(ids(filterRows(rows, splits, { ...NO_FILTERS, split: 'train', status: 'accepted' }))).toEqual(['c']);
    expect(ids(filterRows(rows, splits, NO_FILTERS))).toEqual(['a', 'b', 'c']);
  });
});

describe('pageOf', () => {
  it('clamps the page and counts pages', () => {
    const items = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(items, 2)).toMatchObject({ page: 2, pages: 3 });
    expect(pageOf(items, 2).items).toHaveLength(20);
    expect(pageOf(items, 9).page).toBe(2);
    expect(pageOf([], 0)).toMatchObject({ items: [], page: 0, pages: 1 });
  });
});
