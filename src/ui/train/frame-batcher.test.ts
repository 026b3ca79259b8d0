import { describe, expect, it } from 'vitest';
import { frameBatcher } from './frame-batcher';

describe('frameBatcher', () => {
  it('delivers everything pushed before a frame in one batch, and schedules one frame per batch', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const b = frameBatcher<number>((items) => batches.push(items), (run) => frames.push(run));
    b.push(1);
    b.push(2);
    b.push(3);
    expect(frames).toHaveLength(1);
    expect(batches).toEqual([]);
    frames[0]();
    expect(batches).toEqual([[1, 2, 3]]);
    b.push(4);
    expect(frames).toHaveLength(2);
    frames[1]();
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('flush delivers at once, and the pending frame then has nothing to deliver', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const b = frameBatcher<number>((items) => batches.push(items), (run) => frames.push(run));
    b.push(1);
    b.flush();
    expect(batches).toEqual([[1]]);
    frames[0]();
    expect(batches).toEqual([[1]]);
  });

  it('falls back to a timer without animation frames (Node)', async () => {
    const batches: string[][] = [];
    const b = frameBatcher<string>((items) => batches.push(items));
    b.push('a');
    b.push('b');
    await new Promise((ok) => setTimeout(ok, 150));
    expect(batches).toEqual([['a', 'b']]);
  });
});
