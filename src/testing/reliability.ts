// The reliability record: tests that inject faults or feed bad input note what they tried, how many cases, and what
// they observed; `npm run reliability:report` turns the notes into docs/reliability.md. Nothing in that document is
// written by hand. Each test file keeps its own note file (under .cache/reliability/, not committed), rewritten
// whenever the file runs, so tests running in parallel never share a file.
//
// To add rows from another test: `const record = reliabilityRecord(import.meta.url)`, then
// `record.add({ area, input, cases, outcome })` with the outcome computed from what the test saw, and
// `afterAll(() => record.save())`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RELIABILITY_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../.cache/reliability');

export interface ReliabilityRow {
  /** What is under test: "safetensors reader", "dataset import (CSV)", "teacher reply extractor", "training run". */
  area: string;
  /** What was injected or fed in, in words. */
  input: string;
  /** How many cases were tried. */
  cases: number;
  /** What the test observed (counts, timings, messages), from the test's own results. */
  outcome: string;
}

export interface ReliabilityNotes {
  /** Repository path of the test that wrote the rows. */
  test: string;
  /** ISO time of the run. */
  recordedAt: string;
  rows: ReliabilityRow[];
}

export function reliabilityRecord(testFileUrl: string) {
  const path = fileURLToPath(testFileUrl);
  const test = relative(join(RELIABILITY_DIR, '../..'), path);
  const rows: ReliabilityRow[] = [];
  return {
    add(row: ReliabilityRow): void {
      rows.push(row);
    },
    save(): void {
      if (rows.length === 0) return;
      mkdirSync(RELIABILITY_DIR, { recursive: true });
      const notes: ReliabilityNotes = { test, recordedAt: new Date().toISOString(), rows };
      writeFileSync(join(RELIABILITY_DIR, `${test.replace(/[/\\.]/g, '_')}.json`), `${JSON.stringify(notes, null, 2)}\n`);
    },
  };
}

/** "3 refused: 2 header not JSON, 1 bad dtype" from a tally of outcome kinds, largest first. */
export function describeTally(tally: ReadonlyMap<string, number>): string {
  return [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ');
}

/** Count `kind` in a tally. */
export function tallyAdd(tally: Map<string, number>, kind: string): void {
  tally.set(kind, (tally.get(kind) ?? 0) + 1);
}

const CI_FUZZ_SEED = 20261202;

/** The seed of a fast-check run: FC_SEED when set (to replay a printed failure), a fixed one in CI, else a random one. */
export function fuzzSeed(): number {
  if (process.env.FC_SEED) return Number(process.env.FC_SEED);
  // CI runs one fixed seed so a landing never hinges on a draw; local runs explore a new seed each time.
  return process.env.CI ? CI_FUZZ_SEED : Math.floor(Math.random() * 2 ** 31);
}
