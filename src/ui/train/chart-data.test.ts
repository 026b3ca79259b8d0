import { describe, expect, it } from 'vitest';
import type { EvalMetrics, StepMetrics } from '../../engine/run-api';
import { chartData, compareData, thin } from './chart-data';

const step = (n: number, over: Partial<StepMetrics> = {}): StepMetrics => ({
  kind: 'train',
  step: n,
  epoch: n / 4,
  loss: 10 - n,
  loss_label: 8 - n,
  loss_rationale: 12 - n,
  lr: 1e-3,
  grad_norm: 1,
  samples_per_s: 2 * n,
  tokens_per_s: 100 * n,
  gpu_bytes: { weights: 100, grads: 10 * n, optimizer: 20, activations: 30, scratch: 1 },
  gpu_peak_bytes: 1000 + n,
  elapsed_s: n,
  ...over,
});
const evalAt = (n: number, loss: number, rationale: number | null = loss + 1): EvalMetrics => ({ kind: 'eval', step: n, epoch: n / 4, eval_loss: loss, eval_loss_label: loss - 1, eval_loss_rationale: rationale });

describe('chartData', () => {
  it('puts an eval on the point of the step it was taken at, and one after the last step on its own point', () => {
    const d = chartData([step(1), step(2), evalAt(2, 5), step(3), evalAt(4, 4)]);
    expect(d.loss.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(d.loss[1]).toMatchObject({ loss: 8, loss_label: 6, loss_rationale: 10, eval_loss: 5, eval_loss_label: 4, eval_loss_rationale: 6 });
    expect(d.loss[3]).toEqual({ step: 4, epoch: 1, eval_loss: 4, eval_loss_label: 3, eval_loss_rationale: 5 });
    expect(d.loss[0].eval_loss).toBeUndefined();
  });

  it('leaves rationale series out of a label-only run', () => {
    const d = chartData([step(1, { loss_rationale: null }), evalAt(1, 3, null)]);
    expect('loss_rationale' in d.loss[0]).toBe(false);
    expect('eval_loss_rationale' in d.loss[0]).toBe(false);
  });

  it('gives throughput and memory by category with the peak per step', () => {
    const d = chartData([step(1), step(2)]);
    expect(d.throughput).toEqual([
      { step: 1, samples_per_s: 2, tokens_per_s: 100 },
      { step: 2, samples_per_s: 4, tokens_per_s: 200 },
    ]);
    expect(d.memory[1]).toEqual({ step: 2, peak: 1002, weights: 100, grads: 20, optimizer: 20, activations: 30, scratch: 1 });
  });

  it('thins long runs to the limit, keeping the last step and every eval', () => {
    const rows = [...Array.from({ length: 1000 }, (_, i) => step(i + 1)), evalAt(500, 2), evalAt(999, 1)];
    const d = chartData(rows, 100);
    expect(d.throughput.length).toBeLessThanOrEqual(101);
    expect(d.throughput[d.throughput.length - 1].step).toBe(1000);
    expect(d.loss.filter((p) => p.eval_loss !== undefined).map((p) => p.step)).toEqual([500, 999]);
  });
});

describe('thin', () => {
  it('keeps short lists as they are', () => {
    const xs = [1, 2, 3];
    expect(thin(xs, 3)).toBe(xs);
  });
  it('takes every k-th item and the last', () => {
    expect(thin([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([1, 4, 7]);
    expect(thin([1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([1, 4, 7, 8]);
  });
});

describe('compareData', () => {
  it('keys two runs by a_ and b_ on one step axis', () => {
    const points = compareData([step(1), step(2), evalAt(2, 5)], [step(2, { loss: 3 }), step(3, { loss: 2 })]);
    expect(points).toEqual([
      { step: 1, a_loss: 9 },
      { step: 2, a_loss: 8, a_eval_loss: 5, b_loss: 3 },
      { step: 3, b_loss: 2 },
    ]);
  });
});
