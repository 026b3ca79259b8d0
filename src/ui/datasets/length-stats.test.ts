import { describe, expect, it } from 'vitest';
import { ESTIMATED_TOKENS, niceBinWidth, summarizeLengths } from './length-stats';

describe('summarizeLengths', () => {
  it('bins every value once, with nice widths', () => {
    const values = [0, 3, 9, 10, 11, 57, 99];
    const s = summarizeLengths(values, 50, 10);
    expect(s.bins[0]).toMatchObject({ from: 0, to: 10, count: 3, label: '0–9' });
    expect(s.bins.reduce((a, b) => a + b.count, 0)).toBe(values.length);
    expect(s.bins.at(-1)).toMatchObject({ from: 90, count: 1 });
    expect(s).toMatchObject({ min: 0, max: 99, p95: 99, overLimit: 2 });
    expect(s.mean).toBeCloseTo(189 / 7);
  });
  it('handles empty input and width 1', () => {
    expect(summarizeLengths([]).bins).toEqual([]);
    expect(summarizeLengths([1, 1, 2]).bins.map((b) => b.count)).toEqual([0, 2, 1]);
  });
  it('picks 1/2/5 x 10^k widths', () => {
    expect(niceBinWidth(100, 20)).toBe(5);
    expect(niceBinWidth(1000, 20)).toBe(50);
    expect(niceBinWidth(130, 20)).toBe(10);
  });
  it('estimates tokens from characters', () => {
    expect(ESTIMATED_TOKENS.measure('abcdefghi')).toBe(3);
    expect(ESTIMATED_TOKENS.exact).toBe(false);
  });
});
