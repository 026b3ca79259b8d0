import { describe, expect, it } from 'vitest';
import { LrScheduler } from './schedule';

const base = { lr: 1, warmupSteps: 0, totalSteps: 10, patience: 2, factor: 0.1 };

describe('LR schedules', () => {
  it('linear and cosine warm up from 0 over warmupSteps, then decay to 0 at totalSteps (HF semantics, 1-based steps)', () => {
    const linear = new LrScheduler({ ...base, kind: 'linear', warmupSteps: 2 });
    expect([1, 2, 3, 4, 10, 11].map((s) => linear.lrAt(s))).toEqual([0, 0.5, 1, 0.875, 0.125, 0]);
    const cosine = new LrScheduler({ ...base, kind: 'cosine', warmupSteps: 2 });
    expect(cosine.lrAt(3)).toBe(1);
    expect(cosine.lrAt(7)).toBeCloseTo(0.5, 12); // halfway through the decay
    expect(cosine.lrAt(11)).toBeCloseTo(0, 12);
    const constant = new LrScheduler({ ...base, kind: 'constant', warmupSteps: 2 });
    expect([1, 2, 3, 50].map((s) => constant.lrAt(s))).toEqual([0, 0.5, 1, 1]);
  });

  it('plateau cuts the lr after more than `patience` evaluations without a 1e-4 relative improvement, as PyTorch', () => {
    const s = new LrScheduler({ ...base, kind: 'plateau' });
    const lrs: number[] = [];
    // 1.0 best; 0.99995 is within the threshold (no improvement); two more bad ones exceed patience 2.
    for (const loss of [1, 0.99995, 1.2, 1.1, 1.0, 0.5, 0.6, 0.7, 0.8]) {
      s.onEval(loss);
      lrs.push(s.lrAt(100));
    }
    expect(lrs.map((x) => +x.toPrecision(6))).toEqual([1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01]);
    // The state round-trips through a checkpoint.
    const copy = new LrScheduler({ ...base, kind: 'plateau' }, s.saved);
    expect(copy.saved).toEqual(s.saved);
    expect(copy.lrAt(1)).toBe(s.lrAt(1));
  });
});
