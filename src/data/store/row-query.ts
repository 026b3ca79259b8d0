// The row filters of RowQuery, applied in memory the same way by every store.

import type { DatasetMeta, DatasetRow } from '../records';
import { assignSplits } from '../split';
import type { RowQuery } from './types';

/** `rows`: all rows of the dataset, in id order. */
export function applyRowQuery(rows: DatasetRow[], meta: DatasetMeta, query: RowQuery = {}): DatasetRow[] {
  const text = query.text?.toLowerCase();
  const splits = query.split ? assignSplits(rows, { seed: meta.splitSeed, trainFraction: meta.trainFraction }) : null;
  const kept = rows.filter(
    (r) =>
      (query.source === undefined || r.source === query.source) &&
      (query.status === undefined || r.status === query.status) &&
      (query.valid === undefined || r.validity.valid === query.valid) &&
      (splits === null || splits.get(r.id) === query.split) &&
      (text === undefined ||
        r.question.toLowerCase().includes(text) ||
        r.label.toLowerCase().includes(text) ||
        r.rationale.toLowerCase().includes(text)),
  );
  const offset = query.offset ?? 0;
  return kept.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}

export const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The meta after a change to its rows. */
export function bumped(meta: DatasetMeta, now = Date.now()): DatasetMeta {
  return { ...meta, version: meta.version + 1, updatedAt: Math.max(now, meta.updatedAt) };
}

export function noDataset(id: string): Error {
  return new Error(`dataset "${id}" does not exist: put the dataset before its rows`);
}
