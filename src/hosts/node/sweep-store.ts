// A sweep on disk: SWEEP_DIR holds queue.json (the queue's state), results.json and results.csv, beside the run
// folders the engine's FsRunStore keeps there (one per configuration). Each file is replaced in one rename, so an
// interrupted sweep never leaves half a queue.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepState, SweepStore } from '../../experiments/queue';
import { resultsCsv, type ResultRow } from '../../experiments/results';

export const QUEUE_FILE = 'queue.json';
export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

export class FsSweepStore implements SweepStore {
  private writes = 0;

  constructor(readonly dir: string) {}

  async loadQueue(): Promise<SweepState | null> {
    const path = join(this.dir, QUEUE_FILE);
    if (!(await stat(path).then(() => true, () => false))) return null;
    try {
      return JSON.parse(await readFile(path, 'utf8')) as SweepState;
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
    }
  }

  async saveQueue(state: SweepState): Promise<void> {
    await this.write(QUEUE_FILE, `${JSON.stringify(state, null, 1)}\n`);
  }

  async saveResults(rows: ResultRow[]): Promise<void> {
    await this.write(RESULTS_JSON, `${JSON.stringify(rows, null, 1)}\n`);
    await this.write(RESULTS_CSV, resultsCsv(rows));
  }

  private async write(name: string, text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${name}.${process.pid}.${++this.writes}`);
    await writeFile(tmp, text);
    await rename(tmp, join(this.dir, name));
  }
}
