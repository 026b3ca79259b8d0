// The RunStore contract, run on both hosts: the folder store (Node) and the IndexedDB store (fake-indexeddb).
import 'fake-indexeddb/auto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricRow, RunRecord } from '../engine/run-api';
import type { RunStore } from '../engine/run-store';
import { RUN_DEFAULTS } from '../settings/run-config';
import { openIdbRunStore } from './browser/run-store';
import { FsRunStore } from './node/run-store';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const record = (id: string, createdAt: number): RunRecord => ({
  id, name: id, createdAt, updatedAt: createdAt, config: RUN_DEFAULTS,
  model: { kind: 'folder', path: '/m', label: 'm' },
  data: { name: 'd', rows: 2, trainRows: 1, evalRows: 1 },
  status: 'running', step: 0, totalSteps: 10, epoch: 0, trainSeconds: 0, best: null, final: null, peakGpuBytes: 0,
  checkpoints: {},
  plan: null as unknown as RunRecord['plan'],
});

const train = (step: number): MetricRow => ({
  kind: 'train', step, epoch: step / 4, loss: 1 / step, loss_label: 1, loss_rationale: null, lr: 1e-3, grad_norm: 1,
  samples_per_s: 1, tokens_per_s: 1, gpu_bytes: { weights: 1, grads: 0, optimizer: 0, activations: 0, scratch: 0 }, gpu_peak_bytes: 1, elapsed_s: step,
});

const hosts: [string, () => Promise<{ store: RunStore; fs?: string }>][] = [
  ['folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'runs-'));
    dirs.push(root);
    return { store: new FsRunStore(root), fs: root };
  }],
  ['IndexedDB', async () => ({ store: await openIdbRunStore(`runs-${Math.random()}`) })],
];

for (const [host, open] of hosts) {
  describe(`RunStore on ${host}`, () => {
    it('keeps records, data and metrics per run; truncate drops rows after a step; delete removes everything', async () => {
      const { store } = await open();
      await store.putRun(record('a', 1));
      await store.putRun(record('b', 2));
      expect((await store.listRuns()).map((r) => r.id)).toEqual(['b', 'a']);
      await store.putRun({ ...record('a', 1), status: 'paused' });
      expect((await store.getRun('a'))?.status).toBe('paused');
      expect(await store.getRun('zz')).toBeNull();
      await store.putData('a', { name: 'd', rows: [{ id: 'r1', question: 'q', label: '{}', rationale: '' }] });
      expect((await store.getData('a'))?.rows[0].id).toBe('r1');
      await store.appendMetrics('a', [train(1), train(2)]);
      await store.appendMetrics('a', [{ kind: 'eval', step: 2, epoch: 1, eval_loss: 1, eval_loss_label: 1, eval_loss_rationale: null }, train(3)]);
      await store.appendMetrics('b', [train(1)]);
      expect((await store.metrics('a')).map((r) => `${r.kind}${r.step}`)).toEqual(['train1', 'train2', 'eval2', 'train3']);
      await store.truncateMetrics('a', 2);
      expect((await store.metrics('a')).map((r) => `${r.kind}${r.step}`)).toEqual(['train1', 'train2', 'eval2']);
      expect(await store.metrics('b')).toHaveLength(1);
      expect(await store.deleteRun('a')).toBe(true);
      expect(await store.deleteRun('a')).toBe(false);
      expect(await store.getRun('a')).toBeNull();
      expect(await store.metrics('a')).toEqual([]);
      expect(await store.loadCheckpoint('a', 'latest')).toBeNull();
      await expect(store.putRun(record('../x', 1))).rejects.toThrow(/run id/);
    });

    it('a checkpoint save replaces the previous version whole (text stays text, bytes stay bytes, folders kept)', async () => {
      const { store, fs } = await open();
      await store.putRun(record('c', 1));
      await store.saveCheckpoint('c', 'latest', { 'state.json': '{"step":1}', 'weights.safetensors': Uint8Array.of(1, 2, 3), 'adapter/adapter_config.json': '{}' });
      await store.saveCheckpoint('c', 'best', { 'state.json': '{"step":1}' });
      await store.saveCheckpoint('c', 'latest', { 'state.json': '{"step":2}', 'weights.safetensors': Uint8Array.of(4, 5) });
      const latest = await store.loadCheckpoint('c', 'latest');
      expect(latest).toEqual({ 'state.json': '{"step":2}', 'weights.safetensors': Uint8Array.of(4, 5) });
      expect(await store.loadCheckpoint('c', 'best')).toEqual({ 'state.json': '{"step":1}' });
      if (fs) {
        // The run folder holds exactly the documented layout, no leftovers of the swap.
        expect((await readdir(join(fs, 'c', 'checkpoints'))).sort()).toEqual(['best', 'latest']);
      }
      await expect(store.saveCheckpoint('c', 'latest', { '../evil': 'x' })).rejects.toThrow(/bad checkpoint file name/);
      expect((await store.loadCheckpoint('c', 'latest'))?.['state.json']).toBe('{"step":2}');
    });
  });
}

it('the folder store falls back to the previous checkpoint when a crash came between the two renames', async () => {
  const root = await mkdtemp(join(tmpdir(), 'runs-'));
  dirs.push(root);
  const store = new FsRunStore(root);
  await store.saveCheckpoint('d', 'latest', { 'state.json': '{"step":1}' });
  const { rename } = await import('node:fs/promises');
  await rename(join(root, 'd', 'checkpoints', 'latest'), join(root, 'd', 'checkpoints', '.latest.old'));
  expect(await store.loadCheckpoint('d', 'latest')).toEqual({ 'state.json': '{"step":1}' });
});
