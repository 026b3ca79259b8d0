import { describe, expect, it } from 'vitest';
import { assignSplits, normalizeQuestion, splitOfId } from './split';

const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, question: `question number ${i}` }));

describe('assignSplits', () => {
  it('is about 80/20 with seed 42 and the same on every call', () => {
    const a = assignSplits(rows);
    const train = [...a.values()].filter((s) => s === 'train').length;
    expect(train / rows.length).toBeGreaterThan(0.77);
    expect(train / rows.length).toBeLessThan(0.83);
    expect(assignSplits(rows)).toEqual(a);
    const other = assignSplits(rows, { seed: 7 });
    expect([...other.entries()].filter(([id, s]) => a.get(id) !== s).length).toBeGreaterThan(100);
    const half = [...assignSplits(rows, { trainFraction: 0.5 }).values()].filter((s) => s === 'train').length;
    expect(Math.abs(half - 1000)).toBeLessThan(100);
  });

  it('does not move existing rows when rows are added or removed', () => {
    const before = assignSplits(rows.slice(0, 1500));
    const after = assignSplits([...rows.slice(100, 1500), ...rows.slice(1500)]);
    for (const r of rows.slice(100, 1500)) expect(after.get(r.id)).toBe(before.get(r.id));
  });

  it('keeps duplicate questions (after normalisation) in one split, led by the earliest row', () => {
    const dup = [
      { id: 'z1', question: 'How many orders in Europe?', createdAt: 1 },
      { id: 'a2', question: '  how many ORDERS in europe ', createdAt: 2 },
      { id: 'b3', question: 'How many orders, in Europe!', createdAt: 3 },
    ];
    const many = [...rows, ...dup];
    for (let seed = 0; seed < 30; seed++) {
      const s = assignSplits(many, { seed });
      expect(s.get('a2')).toBe(s.get('z1'));
      expect(s.get('b3')).toBe(s.get('z1'));
      expect(s.get('z1')).toBe(splitOfId('z1', { seed }));
    }
  });

  it('normalises case, punctuation and spacing, and rejects bad fractions', () => {
    expect(normalizeQuestion(' Sales in  São-Paulo? ')).toBe('sales in são paulo');
    expect(() => splitOfId('x', { trainFraction: 1.5 })).toThrow(/trainFraction/);
  });
});
