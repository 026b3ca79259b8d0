// A run's metrics as files a spreadsheet or a script reads: CSV with one row per metrics entry (train steps and
// evaluations share the columns; a missing value is an empty cell, GPU bytes flattened per category), and JSON with
// the run record and every row. Pure, so it is tested without a browser.
import type { MetricRow, RunRecord } from '../../engine/run-api';
import { csvField } from '../../data/export';

const COLUMNS = [
  'kind', 'step', 'epoch', 'loss', 'loss_label', 'loss_rationale', 'eval_loss', 'eval_loss_label', 'eval_loss_rationale',
  'lr', 'grad_norm', 'samples_per_s', 'tokens_per_s', 'gpu_peak_bytes', 'elapsed_s',
] as const;

export function metricsCsv(rows: readonly MetricRow[]): string {
  const categories = [...new Set(rows.flatMap((r) => (r.kind === 'train' ? Object.keys(r.gpu_bytes) : [])))].sort();
  const header = [...COLUMNS, ...categories.map((c) => `gpu_bytes_${c}`)];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : csvField(String(v)));
  const lines = rows.map((r) => {
    const rec = r as unknown as Record<string, unknown>;
    const bytes = r.kind === 'train' ? (r.gpu_bytes as unknown as Record<string, number>) : {};
    return [...COLUMNS.map((c) => cell(rec[c])), ...categories.map((c) => cell(bytes[c]))].join(',');
  });
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

export function runReportJson(run: RunRecord, rows: readonly MetricRow[]): string {
  return JSON.stringify({ run, metrics: rows }, null, 2);
}

/** A file name from a run name: letters, digits, dot, dash, underscore. */
export function fileStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'run';
}
