import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../data/records';
import { avoidIdCollisions } from './import-client';

const row = (id: string, question: string) => ({ id, question }) as DatasetRow;

describe('avoidIdCollisions', () => {
  it('re-ids only rows whose id names a different existing question', () => {
    const existing = new Map([['a', 'old question'], ['b', 'same question']]);
    const out = avoidIdCollisions([row('a', 'new question'), row('b', 'same question'), row('c', 'other')], existing);
    expect(out[0].id).not.toBe('a');
    expect(out[0].id).toMatch(/^q-/);
    expect(out.slice(1).map((r) => r.id)).toEqual(['b', 'c']);
  });
});
