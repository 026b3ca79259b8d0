// Seeded train/eval split, stable for a dataset version and under growth: each row goes to train when a hash of
// (seed, row id) falls below the train fraction, so adding or removing rows never moves the others. Rows whose
// questions are the same after normalisation form a group that follows its earliest row (createdAt, then id), so a
// duplicate question can never sit in both splits. The train share is the fraction in expectation, not exactly.

import type { SplitName } from './records';
import { unitHash } from '../common/random';

export const DEFAULT_SPLIT_SEED = 42;
export const DEFAULT_TRAIN_FRACTION = 0.8;

export interface SplitOptions {
  seed?: number;
  /** Share of rows in train, in [0, 1]. */
  trainFraction?: number;
}

export interface SplittableRow {
  id: string;
  question: string;
  createdAt?: number;
}

/** Lower case, Unicode-compatible forms, punctuation and runs of spaces collapsed: "How many?" == "how  many". */
export function normalizeQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The split of one row id on its own (no duplicate grouping). */
export function splitOfId(id: string, options: SplitOptions = {}): SplitName {
  const { seed = DEFAULT_SPLIT_SEED, trainFraction = DEFAULT_TRAIN_FRACTION } = options;
  if (!(trainFraction >= 0 && trainFraction <= 1)) throw new Error(`trainFraction must be in [0, 1], got ${trainFraction}`);
  return unitHash(id, seed) < trainFraction ? 'train' : 'eval';
}

/** Split of every row, by id. */
export function assignSplits(rows: readonly SplittableRow[], options: SplitOptions = {}): Map<string, SplitName> {
  const leader = new Map<string, SplittableRow>();
  const before = (a: SplittableRow, b: SplittableRow): boolean =>
    (a.createdAt ?? 0) !== (b.createdAt ?? 0) ? (a.createdAt ?? 0) < (b.createdAt ?? 0) : a.id < b.id;
  for (const row of rows) {
    const key = normalizeQuestion(row.question);
    const current = leader.get(key);
    if (!current || before(row, current)) leader.set(key, row);
  }
  const out = new Map<string, SplitName>();
  for (const row of rows) out.set(row.id, splitOfId(leader.get(normalizeQuestion(row.question))!.id, options));
  return out;
}
