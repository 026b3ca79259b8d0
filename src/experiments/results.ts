// One results row per configuration, as results.json / results.csv hold them (issue 11's columns, in this order),
// built from the queue entry and its run's record and metrics.
import type { MetricRow, RunRecord } from '../engine/run-api';
import type { TuneMethod } from '../settings/run-config';
import { modelName, type Trial } from './grid';

export type TrialStatus = 'done' | 'does-not-fit' | 'oom' | 'failed' | 'cancelled';

export interface ResultRow {
  model: string;
  method: TuneMethod;
  rank: number | null;
  alpha: number | null;
  seed: number;
  a: number;
  status: TrialStatus;
  best_eval_loss: number | null;
  final_eval_loss: number | null;
  samples_per_s: number | null;
  peak_gpu_bytes: number | null;
  train_seconds: number | null;
  exact_match: number | null;
}

export const RESULT_COLUMNS: readonly (keyof ResultRow)[] = [
  'model', 'method', 'rank', 'alpha', 'seed', 'a', 'status', 'best_eval_loss', 'final_eval_loss', 'samples_per_s', 'peak_gpu_bytes', 'train_seconds', 'exact_match',
];

const STATUSES: readonly TrialStatus[] = ['done', 'does-not-fit', 'oom', 'failed', 'cancelled'];

/**
 * Mean samples/s over the run's optimizer steps, leaving out the first when there are more (it includes compiling
 * the kernels).
 */
export function meanSamplesPerSecond(metrics: readonly MetricRow[]): number | null {
  const steps = metrics.filter((m) => m.kind === 'train');
  const timed = steps.length > 1 ? steps.slice(1) : steps;
  const rates = timed.map((m) => m.samples_per_s).filter((v) => Number.isFinite(v));
  return rates.length ? rates.reduce((s, v) => s + v, 0) / rates.length : null;
}

/** The row of a trial that ran (record present) or never started (record null: does-not-fit, or oom at the start). */
export function resultRow(trial: Trial, status: TrialStatus, record: RunRecord | null, metrics: readonly MetricRow[] = [], exactMatch: number | null = null): ResultRow {
  const evals = metrics.filter((m) => m.kind === 'eval');
  const lastEval = evals.length ? evals[evals.length - 1].eval_loss : null;
  return {
    model: trial.model,
    method: trial.method,
    rank: trial.rank,
    alpha: trial.alpha,
    seed: trial.seed,
    a: trial.a,
    status,
    best_eval_loss: record?.best?.eval_loss ?? null,
    final_eval_loss: record?.final?.eval_loss ?? lastEval,
    samples_per_s: meanSamplesPerSecond(metrics),
    peak_gpu_bytes: record && record.peakGpuBytes > 0 ? record.peakGpuBytes : null,
    train_seconds: record ? record.trainSeconds : null,
    exact_match: exactMatch,
  };
}

/** The rows of a run folder's metrics.jsonl; a line that is not JSON (cut off when the run was killed) is skipped. */
export function metricRowsOf(jsonl: string): MetricRow[] {
  return jsonl.split('\n').filter((l) => l.trim()).flatMap((l) => {
    try {
      return [JSON.parse(l) as MetricRow];
    } catch {
      return [];
    }
  });
}

/**
 * The row of any finished run (a run folder without a sweep queue): model, method, rank, alpha, seed and a from its
 * record. null for a run that has not finished (running, paused, interrupted).
 */
export function rowFromRecord(record: RunRecord, metrics: readonly MetricRow[] = [], exactMatch: number | null = null): ResultRow | null {
  const c = record.config;
  const status: TrialStatus | null = record.status === 'done' ? 'done' : record.status === 'cancelled' ? 'cancelled'
    : record.status === 'failed' ? (record.error?.kind === 'out-of-memory' ? 'oom' : 'failed') : null;
  if (!status) return null;
  const adapter = c.method !== 'full';
  const trial: Trial = {
    id: record.id, model: modelName(record.model), source: { kind: 'folder', path: '' }, method: c.method,
    rank: adapter ? c.lora.rank : null, alpha: adapter ? c.lora.alpha : null, seed: c.seed, a: record.plan?.data?.labelOnly ? 1 : c.a, config: c,
  };
  return resultRow(trial, status, record, metrics, exactMatch);
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const text = String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Any rows as CSV: a header of the keys, then one line per row (empty cell for null). */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T)[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export const resultsCsv = (rows: readonly ResultRow[]) => toCsv(rows, RESULT_COLUMNS);

/** Results rows from results.json text; a wrong row is refused naming the source, row and field. */
export function parseResults(json: unknown, source = 'results.json'): ResultRow[] {
  if (!Array.isArray(json)) throw new Error(`${source}: expected an array of result rows`);
  return json.map((raw, i) => {
    const where = `${source}: row ${i + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new Error(`${where} is not an object`);
    const r = raw as Record<string, unknown>;
    const num = (k: keyof ResultRow, nullable: boolean): number | null => {
      const v = r[k];
      if (v === null && nullable) return null;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: ${k} must be a number${nullable ? ' or null' : ''} (got ${JSON.stringify(v)})`);
      return v;
    };
    if (typeof r.model !== 'string' || !r.model) throw new Error(`${where}: model must be a name`);
    if (!['full', 'lora', 'qlora'].includes(r.method as string)) throw new Error(`${where}: method must be full, lora or qlora (got ${JSON.stringify(r.method)})`);
    if (!STATUSES.includes(r.status as TrialStatus)) throw new Error(`${where}: status must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(r.status)})`);
    return {
      model: r.model, method: r.method as TuneMethod, rank: num('rank', true), alpha: num('alpha', true), seed: num('seed', false) as number,
      a: num('a', false) as number, status: r.status as TrialStatus, best_eval_loss: num('best_eval_loss', true), final_eval_loss: num('final_eval_loss', true),
      samples_per_s: num('samples_per_s', true), peak_gpu_bytes: num('peak_gpu_bytes', true), train_seconds: num('train_seconds', true), exact_match: num('exact_match', true),
    };
  });
}
