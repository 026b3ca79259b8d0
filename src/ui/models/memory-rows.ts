// The Models list's memory columns: estimateMemory for full fine-tuning, LoRA and QLoRA at one fixed training shape,
// and the warnings a person should see before loading: a buffer the adapter cannot allocate, or a total above the
// budget they set. Estimates, not measurements: the measured figure is the GPU panel's byte count.
import { type MemoryEstimate, type T5Config, type TuneMethod, estimateMemory } from '../../model/config';
import { t5ParameterSpecs } from '../../model/hf-names';
import { DEFAULT_LORA_RANK } from '../../settings/run-config';
import { formatBytes } from '../format';

/** The shape the list quotes: batch 8, 128 input and 128 target tokens. */
export const ESTIMATE_SHAPE = { batch: 8, inputLength: 128, targetLength: 128 } as const;
export const METHODS: readonly TuneMethod[] = ['full', 'lora', 'qlora'];
export const METHOD_NAMES: Record<TuneMethod, string> = {
  full: 'Full',
  lora: `LoRA r${DEFAULT_LORA_RANK}`,
  qlora: `QLoRA r${DEFAULT_LORA_RANK} (NF4)`,
};

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
  const rows = METHODS.map((method) => {
    const estimate = estimateMemory(config, { ...ESTIMATE_SHAPE, method });
    return { method, estimate, overBudget: estimate.total > limits.budgetBytes };
  });
  let largestBuffer = { what: 'logits (8 × 128 × vocab)', bytes: 4 * ESTIMATE_SHAPE.batch * ESTIMATE_SHAPE.targetLength * config.vocab_size };
  for (const s of t5ParameterSpecs(config)) {
    const bytes = 4 * s.shape.reduce((a, b) => a * b, 1);
    if (bytes > largestBuffer.bytes) largestBuffer = { what: s.name, bytes };
  }
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
        : `${over.map((r) => METHOD_NAMES[r.method]).join(' and ')} estimated above your ${formatBytes(limits.budgetBytes)} budget.`,
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
