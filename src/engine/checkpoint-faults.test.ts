// Checkpoint writes that fail, on both run stores: a full IndexedDB (a put throwing QuotaExceededError) gives a
// 'storage-full' error with the space needed and keeps the previous checkpoint with no leftovers; a write cut off
// mid-way (an aborted transaction, a failing file write, a crash between the folder store's renames) leaves the
// previous checkpoint loadable. Each adds a row to docs/reliability.md.
import 'fake-indexeddb/auto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { openIdbRunStore } from '../hosts/browser/run-store';
import { FsRunStore } from '../hosts/node/run-store';
import { reliabilityRecord } from '../testing/reliability';
import { EngineError } from './errors';
import type { FileRecord } from './run-api';
import type { RunStore } from './run-store';

const record = reliabilityRecord(import.meta.url);
const roots: string[] = [];
afterAll(() => {
  record.save();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

const realPut = IDBObjectStore.prototype.put;
afterEach(() => {
  IDBObjectStore.prototype.put = realPut;
});

/** A checkpoint's files: state.json text and a weights file of `n` bytes filled with `fill`. */
const checkpoint = (step: number, n: number, fill: number): FileRecord => ({
  'state.json': `{"step":${step}}\n`,
  'weights.safetensors': new Uint8Array(n).fill(fill),
  'adapter/adapter_config.json': '{"r":4}',
});

async function expectStep(store: RunStore, id: string, step: number, n: number, fill: number) {
  const files = await store.loadCheckpoint(id, 'latest');
  expect(files?.['state.json']).toBe(`{"step":${step}}\n`);
  const w = files?.['weights.safetensors'] as Uint8Array;
  expect([w.byteLength, w.every((b) => b === fill)]).toEqual([n, true]);
}

/** Every put of a value above `bytes` fails as a full disk does. */
function quotaAbove(bytes: number) {
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (value instanceof Uint8Array && value.byteLength > bytes) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return realPut.call(this, value, key);
  };
}

it('a full IndexedDB while saving: storage-full with the space needed, the previous checkpoint intact, nothing left behind', async () => {
  const store = await openIdbRunStore(`faults-${Math.random()}`);
  await store.putData('r1', { name: 'rows', rows: [] });
  await store.saveCheckpoint('r1', 'latest', checkpoint(3, 1000, 7));
  const before = await store.runBytes!('r1');
  quotaAbove(100_000);
  const err = await store.saveCheckpoint('r1', 'latest', checkpoint(6, 2_500_000, 9)).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).kind).toBe('storage-full');
  expect((err as EngineError).message).toMatch(/^browser storage is full: checkpoint latest of run r1 needs about 2\.5 MB.* The previous latest checkpoint is kept\./);
  await expectStep(store, 'r1', 3, 1000, 7);
  expect(await store.runBytes!('r1')).toBe(before);
  IDBObjectStore.prototype.put = realPut;
  await store.saveCheckpoint('r1', 'latest', checkpoint(6, 2000, 9));
  await expectStep(store, 'r1', 6, 2000, 9);
  record.add({
    area: 'run store (IndexedDB)',
    input: 'QuotaExceededError from a put while saving a 2.5 MB checkpoint',
    cases: 1,
    outcome: `refused as ${(err as EngineError).kind} naming the space needed; previous checkpoint loadable, ${before} bytes stored before and after (no orphan files); the next save with space succeeds`,
  });
});

it('an IndexedDB checkpoint write aborted mid-way (a reload): the previous checkpoint stays loadable', async () => {
  const store = await openIdbRunStore(`faults-${Math.random()}`);
  await store.putData('r2', { name: 'rows', rows: [] });
  await store.saveCheckpoint('r2', 'latest', checkpoint(3, 1000, 7));
  const before = await store.runBytes!('r2');
  let puts = 0;
  // The second file's put aborts the transaction, as closing the tab does before it commits.
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    const request = realPut.call(this, value, key);
    if (++puts === 2) this.transaction.abort();
    return request;
  };
  const err = await store.saveCheckpoint('r2', 'latest', checkpoint(6, 1000, 9)).then(() => null, (e: unknown) => e);
  expect(err).not.toBeNull();
  IDBObjectStore.prototype.put = realPut;
  await expectStep(store, 'r2', 3, 1000, 7);
  expect(await store.runBytes!('r2')).toBe(before);
  record.add({
    area: 'run store (IndexedDB)',
    input: 'checkpoint write transaction aborted after its first file',
    cases: 1,
    outcome: `save rejected (${(err as Error).name}); previous checkpoint loadable, stored bytes unchanged`,
  });
});

it('a folder checkpoint write cut off (a failing file write, a crash between the renames): the previous one loads', async () => {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-ckpt-'));
  roots.push(root);
  const store = new FsRunStore(root);
  await store.saveCheckpoint('r3', 'latest', checkpoint(3, 1000, 7));
  // A file that cannot be written, after one that was: the save fails half-written.
  const broken = { ...checkpoint(6, 1000, 9), 'z.bin': 42 as unknown as Uint8Array };
  const err = await store.saveCheckpoint('r3', 'latest', broken).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  await expectStep(store, 'r3', 3, 1000, 7);

  // A crash after the old folder was renamed aside and before the new one took its place, with a half-written new one.
  const base = join(root, 'r3', 'checkpoints');
  renameSync(join(base, 'latest'), join(base, '.latest.old'));
  mkdirSync(join(base, '.latest.new-1-1'), { recursive: true });
  writeFileSync(join(base, '.latest.new-1-1', 'state.json'), '{"step":');
  await expectStep(store, 'r3', 3, 1000, 7);
  // The next save replaces it cleanly.
  await store.saveCheckpoint('r3', 'latest', checkpoint(9, 1000, 5));
  await expectStep(store, 'r3', 9, 1000, 5);
  expect(readdirSync(base).filter((f) => !f.startsWith('.latest.new'))).toEqual(['latest']);
  record.add({
    area: 'run store (folder)',
    input: 'checkpoint write failing after its first files; crash between the renames with a half-written new folder',
    cases: 2,
    outcome: `save rejected (${(err as Error).name}); the previous checkpoint loaded both times (from .latest.old after the crash); the next save replaced it`,
  });
});
