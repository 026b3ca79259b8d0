// Where runs live: one interface, two hosts (src/hosts/node/run-store.ts: a folder per run; src/hosts/browser/
// run-store.ts: IndexedDB). One format: run.json (RunRecord), metrics.jsonl (MetricRow per line), data.json (the
// rows the run trains on, copied at start) and checkpoints/latest, checkpoints/best (files by name). Saving a
// checkpoint never destroys the previous one: the new version is written first, then the pointer switches.
import type { StoredEvaluation } from './api';
import type { FileRecord, MetricRow, RunData, RunRecord } from './run-api';

export type CheckpointName = 'latest' | 'best';

export interface RunStore {
  listRuns(): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunRecord | null>;
  /** Create or replace run.json. */
  putRun(record: RunRecord): Promise<void>;
  /** Removes the run and everything under it; false when there was none. */
  deleteRun(id: string): Promise<boolean>;

  putData(id: string, data: RunData): Promise<void>;
  getData(id: string): Promise<RunData | null>;

  appendMetrics(id: string, rows: MetricRow[]): Promise<void>;
  metrics(id: string): Promise<MetricRow[]>;
  /** Keep only rows up to and including `step` (a resume drops what came after its checkpoint). */
  truncateMetrics(id: string, step: number): Promise<void>;

  /** Write a new version of the checkpoint, then switch to it; the old version goes only after the switch. */
  saveCheckpoint(id: string, name: CheckpointName, files: FileRecord): Promise<void>;
  loadCheckpoint(id: string, name: CheckpointName): Promise<FileRecord | null>;
  /** Bytes the run takes in the store. */
  runBytes?(id: string): Promise<number>;
  /** Keep a generation evaluation of one of the run's checkpoints (eval-<checkpoint>.json; newest first, a few kept). */
  addEvaluation?(id: string, evaluation: StoredEvaluation): Promise<void>;
  /** The run's kept generation evaluations, newest first. */
  evaluations?(id: string): Promise<StoredEvaluation[]>;
}

/** Run ids become folder names and keys: letters, digits, dot, dash, underscore. */
export function checkRunId(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
    throw new Error(`run id ${JSON.stringify(id)} must be 1-128 letters, digits, ".", "-" or "_", starting with a letter or digit`);
  }
  return id;
}

/** Evaluations kept per checkpoint name; older ones go. */
export const KEPT_EVALUATIONS = 10;
