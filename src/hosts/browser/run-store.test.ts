// The browser run store's byte count: what a run takes in IndexedDB, from nothing stored to data, metrics and files.
import 'fake-indexeddb/auto';
import { expect, it } from 'vitest';
import type { EvalMetrics } from '../../engine/run-api';
import { openIdbRunStore } from './run-store';

const eval1: EvalMetrics = { kind: 'eval', step: 1, epoch: 1, eval_loss: 1, eval_loss_label: 1, eval_loss_rationale: 1 };

it('counts 0 bytes for a run with nothing stored, then grows with its data, metrics and checkpoint files', async () => {
  const store = await openIdbRunStore(`run-bytes-${Math.random()}`);
  if (!store.runBytes) throw new Error('the IndexedDB run store should count bytes');
  const runBytes = store.runBytes.bind(store);
  expect(await runBytes('empty-run')).toBe(0);
  await store.putData('r1', { name: 'd', rows: [{ id: '1', question: 'q', label: '{}', rationale: 'r' }] });
  const withData = await runBytes('r1');
  expect(withData).toBeGreaterThan(0);
  await store.appendMetrics('r1', [eval1]);
  const withMetrics = await runBytes('r1');
  expect(withMetrics).toBeGreaterThan(withData);
  await store.saveCheckpoint('r1', 'latest', { 'adapter_model.safetensors': new Uint8Array(1000) });
  expect(await runBytes('r1')).toBeGreaterThanOrEqual(withMetrics + 1000);
});
