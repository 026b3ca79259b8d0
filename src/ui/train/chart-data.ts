// What the Train page's charts plot, derived from a run's metric rows: one point per optimizer step (eval rows join
// the point of the step they were taken at), thinned to a fixed number of points so a long run's charts stay cheap
// to draw. Pure, so it is tested without a browser.
import type { EvalMetrics, MetricRow, StepMetrics } from '../../engine/run-api';
import { type ByCategory, MEMORY_CATEGORIES } from '../../settings/memory';

/** The memory categories in the order the chart stacks them (bottom first). */
export const MEMORY_SERIES: readonly (keyof ByCategory)[] = MEMORY_CATEGORIES;

export interface LossPoint {
  step: number;
  epoch: number;
  loss?: number;
  loss_label?: number;
  loss_rationale?: number;
  eval_loss?: number;
  eval_loss_label?: number;
  eval_loss_rationale?: number;
}

export interface ThroughputPoint {
  step: number;
  samples_per_s: number;
  tokens_per_s: number;
}

export type MemoryPoint = { step: number; peak: number } & ByCategory;

export interface ChartData {
  loss: LossPoint[];
  throughput: ThroughputPoint[];
  memory: MemoryPoint[];
}

/** Points drawn per chart at most; a longer run keeps every k-th step (and always its last one and every eval). */
export const MAX_POINTS = 600;

const isTrain = (r: MetricRow): r is StepMetrics => r.kind === 'train';
const isEval = (r: MetricRow): r is EvalMetrics => r.kind === 'eval';

/** Every k-th item, plus the last, so that at most `max` items remain. */
export function thin<T>(items: T[], max = MAX_POINTS): T[] {
  if (items.length <= max) return items;
  const stride = Math.ceil(items.length / max);
  const kept = items.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== items[items.length - 1]) kept.push(items[items.length - 1]);
  return kept;
}

export function chartData(rows: readonly MetricRow[], max = MAX_POINTS): ChartData {
  const train = thin(rows.filter(isTrain), max);
  const evals = rows.filter(isEval);
  const byStep = new Map<number, LossPoint>();
  for (const r of train) {
    byStep.set(r.step, {
      step: r.step,
      epoch: r.epoch,
      loss: r.loss,
      loss_label: r.loss_label,
      ...(r.loss_rationale === null ? {} : { loss_rationale: r.loss_rationale }),
    });
  }
  for (const r of evals) {
    const point = byStep.get(r.step) ?? { step: r.step, epoch: r.epoch };
    point.eval_loss = r.eval_loss;
    point.eval_loss_label = r.eval_loss_label;
    if (r.eval_loss_rationale !== null) point.eval_loss_rationale = r.eval_loss_rationale;
    byStep.set(r.step, point);
  }
  return {
    loss: [...byStep.values()].sort((a, b) => a.step - b.step),
    throughput: train.map((r) => ({ step: r.step, samples_per_s: r.samples_per_s, tokens_per_s: r.tokens_per_s })),
    memory: train.map((r) => ({ step: r.step, peak: r.gpu_peak_bytes, ...r.gpu_bytes })),
  };
}

/** Two runs' loss curves on one step axis: train and eval loss of each, keyed a_ and b_. */
export function compareData(a: readonly MetricRow[], b: readonly MetricRow[], max = MAX_POINTS): Record<string, number>[] {
  const byStep = new Map<number, Record<string, number>>();
  const add = (rows: readonly MetricRow[], prefix: string) => {
    for (const p of chartData(rows, max).loss) {
      const point = byStep.get(p.step) ?? { step: p.step };
      if (p.loss !== undefined) point[`${prefix}_loss`] = p.loss;
      if (p.eval_loss !== undefined) point[`${prefix}_eval_loss`] = p.eval_loss;
      byStep.set(p.step, point);
    }
  };
  add(a, 'a');
  add(b, 'b');
  return [...byStep.values()].sort((x, y) => x.step - y.step);
}
