import { describe, expect, it } from 'vitest';
import { recommend, type MethodEstimates } from './recommend';
import type { ResultRow } from './results';

const GiB = 2 ** 30;
const row = (o: Partial<ResultRow>): ResultRow => ({
  model: 'base', method: 'lora', rank: 128, alpha: 512, seed: 42, a: 0.5, status: 'done', best_eval_loss: 0.07, final_eval_loss: 0.07,
  samples_per_s: 5, peak_gpu_bytes: 4 * GiB, train_seconds: 3600, exact_match: null, ...o,
});
const ESTIMATES: MethodEstimates = { memoryBytes: { full: 12 * GiB, lora: 6 * GiB, qlora: 3 * GiB } };

describe('recommender', () => {
  const rows = [
    row({ method: 'full', rank: null, alpha: null, best_eval_loss: 0.064, peak_gpu_bytes: 16 * GiB, train_seconds: 7200 }),
    row({ best_eval_loss: 0.0687 }),
    row({ method: 'qlora', rank: 64, alpha: 256, best_eval_loss: 0.0696, peak_gpu_bytes: 2 * GiB, train_seconds: 9000 }),
    row({ rank: 32, alpha: 128, best_eval_loss: 0.05, status: 'failed' }),
  ];

  it('picks the lowest measured eval loss within both budgets and names the better run it ruled out', () => {
    const r = recommend(rows, { memoryBytes: 8 * GiB, seconds: 4 * 3600 });
    expect([r.source, r.method, r.rank, r.alpha, r.model, r.fits]).toEqual(['measured', 'lora', 128, 512, 'base', true]);
    expect(r.reasons[0]).toContain('0.06870');
    expect(r.reasons[1]).toContain('4.00 GiB of the 8.00 GiB');
    expect(r.reasons[2]).toMatch(/full fine-tuning on base \(0.06400\), needed 16.00 GiB/);
  });

  it('a memory budget only QLoRA meets picks QLoRA; a generous one picks full', () => {
    expect(recommend(rows, { memoryBytes: 3 * GiB, seconds: Infinity })).toMatchObject({ method: 'qlora', rank: 64, alpha: 256, source: 'measured' });
    expect(recommend(rows, { memoryBytes: 32 * GiB, seconds: Infinity })).toMatchObject({ method: 'full', rank: null, source: 'measured' });
  });

  it("falls back to the paper's guidance: full when memory allows, LoRA when tight, QLoRA when memory binds, alpha:rank 4:1", () => {
    expect(recommend([], { memoryBytes: 16 * GiB, seconds: Infinity }, ESTIMATES)).toMatchObject({ method: 'full', source: 'guidance', fits: true });
    const tight = recommend([], { memoryBytes: 8 * GiB, seconds: Infinity }, ESTIMATES);
    expect(tight).toMatchObject({ method: 'lora', rank: 128, alpha: 512, source: 'guidance' });
    expect(tight.reasons.join(' ')).toContain('full fine-tuning needs about 12.00 GiB, over the 8.00 GiB budget');
    // Full fits memory but not time: LoRA.
    const slow = recommend([], { memoryBytes: 16 * GiB, seconds: 3600 }, { ...ESTIMATES, seconds: { full: 7200, lora: 3000 } });
    expect(slow.method).toBe('lora');
    expect(slow.reasons.join(' ')).toContain('over the 1.00 h budget');
    expect(recommend([], { memoryBytes: 4 * GiB, seconds: Infinity }, ESTIMATES)).toMatchObject({ method: 'qlora', rank: 128, alpha: 512, fits: true });
    expect(recommend([], { memoryBytes: 1 * GiB, seconds: Infinity }, ESTIMATES)).toMatchObject({ method: 'qlora', fits: false });
    // Measured runs that fit neither budget also fall back, and say so.
    const none = recommend(rows, { memoryBytes: 1 * GiB, seconds: 60 }, ESTIMATES);
    expect(none.source).toBe('guidance');
    expect(none.reasons[0]).toMatch(/none of the 3 measured runs fits both budgets/);
  });

  it('refuses a budget that is not a positive number', () => {
    expect(() => recommend(rows, { memoryBytes: 0, seconds: 1 })).toThrow(/memory budget/);
    expect(() => recommend(rows, { memoryBytes: 1, seconds: -1 })).toThrow(/time budget/);
  });
});
