// Streamed generation for the Playground on the tiny checkpoint (Dawn): the updates grow to the same text plain
// generation gives, the JSON switch makes the output parse, and stopGeneration ends it after the step it lands in.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createNodeEngine } from '../hosts/node/engine';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import type { StreamUpdate } from './api';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');

it('streams tokens, constrains to JSON, and stops', async () => {
  const engine = createNodeEngine(await testGpu());
  await expect(engine.generateStream('x', { maxNewTokens: 4 })).rejects.toMatchObject({ kind: 'not-found' });
  await engine.loadModel({ kind: 'folder', path: TINY });
  const q = 'predict: How many sales in Europe?';

  const updates: StreamUpdate[] = [];
  const free = await engine.generateStream(q, { maxNewTokens: 10 }, (u) => updates.push(u), 'g1');
  expect(free.text).toBe((await engine.generate([q], { maxNewTokens: 10 }))[0]);
  expect(updates.map((u) => u.tokens)).toEqual(updates.map((_, i) => Math.min(i + 1, free.tokens)));
  expect(updates.at(-1)!.text).toBe(free.text);
  expect(free.stopped).toBe(false);

  const json = await engine.generateStream(q, { maxNewTokens: 10, jsonConstrained: true });
  expect(() => JSON.parse(json.text), json.text).not.toThrow();
  const beams = await engine.generateStream(q, { maxNewTokens: 10, numBeams: 2, jsonConstrained: true });
  expect(() => JSON.parse(beams.text), beams.text).not.toThrow();

  let stopAsked = false;
  const stopped = await engine.generateStream(q, { maxNewTokens: 10 }, () => {
    if (!stopAsked) void engine.stopGeneration('g2');
    stopAsked = true;
  }, 'g2');
  expect(stopped.stopped).toBe(true);
  expect(stopped.tokens).toBeLessThanOrEqual(2);
  expect(await engine.stopGeneration('g2')).toBe(false);
  await expect(engine.generateStream(' ', { maxNewTokens: 4 })).rejects.toMatchObject({ kind: 'bad-input' });
});
