import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { datasetStats } from './dataset-stats';

const parses = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};
const row = (id: string, label: string, valid: boolean, over: Partial<DatasetRow> = {}): DatasetRow => ({
  id,
  datasetId: 'd',
  question: id,
  label,
  rationale: '',
  source: 'import',
  status: 'pending',
  validity: { parses: parses(label), valid, problems: [] },
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('datasetStats', () => {
  it('counts splits, validity, status, sources and clause coverage with the real coverage function', () => {
    const rows = [
      row('a', '{"query": {"bool": {"filter": [{"range": {"date": {"gte": "now-10y/y"}}}]}}}', true),
      row('b', '{"query": {"match": {"region": "Europe"}}, "size": 3}', true, { source: 'teacher', status: 'accepted' }),
      row('c', '{"query": {"match": ', false, { status: 'rejected' }),
      row('d', '{"query": {"nope": {}}}', false),
    ];
    const splits = new Map([['a', 'train' as const], ['b', 'train' as const], ['c', 'eval' as const], ['d', 'train' as const]]);
    const s = datasetStats(rows, splits);
    expect(s).toMatchObject({ rows: 4, splits: { train: 3, eval: 1 }, valid: 2, parses: 3, validityRate: 0.5 });
    expect(s.status).toEqual({ pending: 2, accepted: 1, rejected: 1 });
    expect(s.sources).toEqual({ teacher: 1, import: 3, manual: 0 });
    const cov = Object.fromEntries(s.coverage);
    expect(cov.query).toBe(3);
    expect(cov.match).toBe(1);
    expect(cov.range).toBe(1);
    expect(cov['bool.filter']).toBe(1);
    expect(s.coverage[0][0]).toBe('query');
  });
  it('is all zeros for an empty dataset', () => {
    expect(datasetStats([], new Map())).toMatchObject({ rows: 0, validityRate: 0, coverage: [] });
  });
});
