// The Playground store driven by the real engine in-thread (Dawn, tiny checkpoint): streamed text grows into the
// answer, the JSON switch applies to labels only, Stop ends a long generation, and each answer enters the history.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createNodeEngine } from '../../hosts/node/engine';
import { FIXTURES } from '../../testing/checkpoint';
import { testGpu } from '../../testing/gpu';
import { createPlaygroundStore, type HistoryEntry } from './playground-slice';

it('asks, streams, constrains labels, stops, and keeps history', async () => {
  const engine = createNodeEngine(await testGpu());
  const saved: HistoryEntry[] = [];
  const store = createPlaygroundStore({ engine: () => engine, history: { load: async () => [], add: async (e) => void saved.push(e) } });
  await store.getState().refreshLoaded();
  expect(store.getState().loaded).toBeNull();
  await engine.loadModel({ kind: 'folder', path: join(FIXTURES, 'tiny-t5/untied-gated') });
  await store.getState().refreshLoaded();
  expect(store.getState().loaded?.id).toContain('untied-gated');

  const seen: string[] = [];
  const unsubscribe = store.subscribe((s) => {
    if (s.running?.text && seen.at(-1) !== s.running.text) seen.push(s.running.text);
  });
  store.getState().set({ question: 'How many sales in Europe?', maxNewTokens: 16 });
  await store.getState().ask('label');
  const label = store.getState().result!;
  expect(label.task).toBe('label');
  expect(() => JSON.parse(label.text)).not.toThrow();
  // Streamed: the text grew step by step into the answer.
  expect(seen.length).toBeGreaterThan(3);
  expect(seen.at(-1)).toBe(label.text);

  await store.getState().ask('rationale');
  const rationale = store.getState().result!;
  expect(rationale.task).toBe('rationale');
  // The untrained model's rationale is not JSON: the switch is for labels only.
  expect(() => JSON.parse(rationale.text)).toThrow();

  store.getState().set({ maxNewTokens: 400, jsonConstrained: false });
  const asking = store.getState().ask('label');
  await new Promise<void>((ok) => {
    const off = store.subscribe((s) => {
      if ((s.running?.tokens ?? 0) >= 2) {
        off();
        ok();
      }
    });
  });
  await store.getState().stop();
  await asking;
  unsubscribe();
  expect(store.getState().result).toMatchObject({ stopped: true, finished: false });
  expect(store.getState().result!.tokens).toBeLessThan(400);
  expect(store.getState().running).toBeNull();
  expect(saved.map((h) => [h.task, h.jsonConstrained, h.stopped])).toEqual([['label', true, false], ['rationale', false, false], ['label', false, true]]);
  expect(store.getState().history.map((h) => h.task)).toEqual(['label', 'rationale', 'label']);
});
