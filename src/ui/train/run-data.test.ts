import { describe, expect, it } from 'vitest';
import type { DatasetMeta, DatasetRow, RowStatus } from '../../data/records';
import { runData, selectRows, statusCounts } from './run-data';

const row = (id: string, status: RowStatus): DatasetRow => ({
  id,
  datasetId: 'd',
  question: `q ${id}`,
  label: '{"query": {"match_all": {}}}',
  rationale: `r ${id}`,
  source: 'import',
  status,
  validity: { parses: true, valid: true, problems: [] },
  createdAt: 1,
  updatedAt: 2,
});
const rows = [row('a', 'accepted'), row('b', 'pending'), row('c', 'rejected'), row('d', 'accepted'), row('e', 'pending')];

describe('selectRows', () => {
  it('takes accepted rows, or every row not rejected', () => {
    expect(selectRows(rows, 'accepted', null).map((r) => r.id)).toEqual(['a', 'd']);
    expect(selectRows(rows, 'not-rejected', null).map((r) => r.id)).toEqual(['a', 'b', 'd', 'e']);
  });
  it('keeps only the first N of the selection', () => {
    expect(selectRows(rows, 'not-rejected', 3).map((r) => r.id)).toEqual(['a', 'b', 'd']);
  });
});

it('statusCounts counts each status', () => {
  expect(statusCounts(rows)).toEqual({ accepted: 2, pending: 2, rejected: 1 });
});

it('runData copies the chosen rows with the dataset id, version and selection', () => {
  const meta = { id: 'd', name: 'Sales', version: 7 } as DatasetMeta;
  const data = runData(meta, rows, 'accepted', 1);
  expect(data).toEqual({
    name: 'Sales (first 1)',
    datasetId: 'd',
    datasetVersion: 7,
    selection: 'accepted',
    rows: [{ id: 'a', question: 'q a', label: '{"query": {"match_all": {}}}', rationale: 'r a', createdAt: 1 }],
  });
});
