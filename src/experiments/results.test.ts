import { describe, expect, it } from 'vitest';
import { metricRowsOf } from './results';

describe('metricRowsOf', () => {
  it('reads one row per JSON line and skips blank lines and a line cut off by a killed run', () => {
    const a = { kind: 'eval', step: 2, epoch: 1, eval_loss: 0.5 };
    const b = { kind: 'eval', step: 4, epoch: 2, eval_loss: 0.25 };
    const text = `${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n{"kind":"train","step":5,"lo`;
    expect(metricRowsOf(text)).toEqual([a, b]);
    expect(metricRowsOf('')).toEqual([]);
  });
});
