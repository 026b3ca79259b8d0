// The Models list's memory columns: estimateMemory for full fine-tuning, LoRA and QLoRA at one fixed training shape,
// and the warnings a person should see before loading: a buffer the adapter cannot allocate, or a total above the
// budget they set. Estimates, not measurements: the measured figure is the GPU panel's byte count.
import type { T5Config } from '../../engine/api';
import { estimateMemory, largestTrainingBuffer, passRows, type MemoryEstimate } from '../../settings/memory-estimate';
import { TUNE_METHODS, TUNE_METHOD_NAMES } from '../../settings/presets';
import { RUN_DEFAULTS, type TuneMethod } from '../../settings/run-config';
import { formatBytes } from '../format';

/** The shape the list quotes: batch 8, 128 input and 128 target tokens. */
export const ESTIMATE_SHAPE = { batch: 8, inputLength: 128, targetLength: 128 } as const;
/** Sequences per pass at that batch: a new run (a = 0.5) trains both DSS tasks in one pass. */
export const ESTIMATE_ROWS = passRows(ESTIMATE_SHAPE.batch, RUN_DEFAULTS.a);

export interface MemoryRow {
  method: TuneMethod;
  estimate: MemoryEstimate;
  overBudget: boolean;
}

export interface ModelMemory {
  parameterCount: number;
  rows: MemoryRow[];
  /** The largest single buffer training needs: the biggest weight, or the (B*To, V) logits. */
  largestBuffer: { what: string; bytes: number };
  warnings: string[];
}

export function modelMemory(config: T5Config, limits: { maxBufferSize?: number; budgetBytes: number }): ModelMemory {
  const rows = TUNE_METHODS.map((method) => {
    const estimate = estimateMemory(config, { ...ESTIMATE_SHAPE, batch: ESTIMATE_ROWS, method });
    return { method, estimate, overBudget: estimate.total > limits.budgetBytes };
  });
  // At the batch itself: where both tasks' logits would not fit one buffer the engine runs one pass per task.
  const largestBuffer = largestTrainingBuffer(config, ESTIMATE_SHAPE);
  const warnings: string[] = [];
  if (limits.maxBufferSize !== undefined && largestBuffer.bytes > limits.maxBufferSize) {
    warnings.push(`${largestBuffer.what} needs ${formatBytes(largestBuffer.bytes)} in one buffer, but this adapter allows ${formatBytes(limits.maxBufferSize)} per buffer.`);
  }
  const over = rows.filter((r) => r.overBudget);
  if (over.length > 0) {
    const cheapest = Math.min(...rows.map((r) => r.estimate.total));
    warnings.push(
      over.length === rows.length
        ? `Every method is estimated above your ${formatBytes(limits.budgetBytes)} budget (the smallest needs ${formatBytes(cheapest)}).`
        : `${over.map((r) => TUNE_METHOD_NAMES[r.method]).join(' and ')} estimated above your ${formatBytes(limits.budgetBytes)} budget.`,
    );
  }
  return { parameterCount: rows[0].estimate.totalParams, rows, largestBuffer, warnings };
}

/** 76961152 -> "77.0 M" */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}
