// The sweep queue against a double of the engine's run API (the engine boundary: planRun reports a memory plan,
// startRun may throw EngineError 'out-of-memory' as the real engine does when a buffer cannot be allocated) and the
// real folder store, so persistence and resume go through queue.json on disk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors';
import type { MetricRow, RunEvent, RunPlan, RunRecord, RunSpec } from '../engine/run-api';
import { FsSweepStore } from '../hosts/node/sweep-store';
import { parseRunConfig } from '../settings/run-config';
import { expandGrid } from './grid';
import { mergeQueue, SweepQueue, type SweepRunApi } from './queue';
import { parseResults } from './results';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'stepwise-sweep-'));
  roots.push(d);
  return d;
};

const LIMIT = 1000;
const DATA = { name: 'rows', rows: [{ id: 'r0', question: 'q', label: '{}', rationale: 'r' }] };

/** Memory estimate of the double: 4 bytes per rank unit; rank 512 does not fit the 1000-byte device. */
const estimateOf = (spec: RunSpec) => (spec.config.lora?.rank ?? 100) * 4;

/** The engine double: runs finish at once with eval loss 1 / alpha unless told to run out of memory or pause. */
class EngineDouble implements SweepRunApi {
  readonly calls: string[] = [];
  readonly records = new Map<string, RunRecord>();
  readonly oomRanks = new Set<number>();
  private pauseAsked = new Set<string>();

  async planRun(spec: RunSpec): Promise<RunPlan> {
    this.calls.push(`plan ${spec.id}`);
    const total = estimateOf(spec);
    const fits = total <= LIMIT;
    return {
      config: parseRunConfig(spec.config), stepsPerEpoch: 1, totalSteps: 4, trainableParams: 1, totalParams: 1,
      data: { rowsGiven: 1, trainRows: 1, evalRows: 0, skipped: [], invalidLabels: 0, labelInputsTruncated: 0, rationaleInputsTruncated: 0, labelTargetsTruncated: 0, rationaleTargetsTruncated: 0, addedCharacters: [], labelOnly: false },
      memory: { estimate: { weights: total, grads: 0, optimizer: 0, activations: 0, total }, maxBufferSize: LIMIT, maxStorageBufferBindingSize: LIMIT, largestBuffer: { what: 'weights', bytes: total }, passes: 1, sequencesPerPass: 2, fits, reason: fits ? undefined : `needs ${total} bytes, the device has ${LIMIT}` },
    };
  }

  async startRun(spec: RunSpec, onEvent?: (e: RunEvent) => void): Promise<RunRecord> {
    this.calls.push(`start ${spec.id}`);
    const plan = await this.planRun(spec);
    const config = plan.config;
    const record: RunRecord = {
      id: spec.id!, name: spec.id!, createdAt: 0, updatedAt: 0, config, model: { kind: 'folder', path: '/m/tiny', label: 'tiny' }, data: { name: 'rows', rows: 1, trainRows: 1, evalRows: 0 },
      status: 'running', step: 0, totalSteps: 4, epoch: 0, trainSeconds: 0, best: null, final: null, peakGpuBytes: 0, checkpoints: {}, plan,
    };
    this.records.set(record.id, record);
    onEvent?.({ type: 'plan', runId: record.id, plan });
    if (this.oomRanks.has(config.lora.rank) && config.method !== 'full') {
      record.status = 'failed';
      record.error = { kind: 'out-of-memory', message: 'GPU out of memory allocating logits' };
      throw new EngineError('out-of-memory', 'GPU out of memory allocating logits');
    }
    return this.train(record, 0);
  }

  async resumeRun(runId: string, onEvent?: (e: RunEvent) => void): Promise<RunRecord> {
    this.calls.push(`resume ${runId}`);
    const record = this.records.get(runId)!;
    onEvent?.({ type: 'plan', runId, plan: record.plan });
    return this.train(record, record.step);
  }

  private async train(record: RunRecord, from: number): Promise<RunRecord> {
    for (let step = from + 1; step <= 4; step++) {
      await Promise.resolve();
      if (this.pauseAsked.delete(record.id)) {
        record.status = 'paused';
        return { ...record };
      }
      record.step = step;
    }
    const loss = 1 / record.config.lora.alpha;
    record.status = 'done';
    record.best = { step: 4, eval_loss: loss, eval_loss_label: loss, eval_loss_rationale: loss };
    record.final = { step: 4, loss, eval_loss: loss * 1.1 };
    record.trainSeconds = 10;
    record.peakGpuBytes = estimateOf({ config: record.config } as RunSpec);
    return { ...record };
  }

  async pauseRun(runId: string) {
    this.pauseAsked.add(runId);
    return true;
  }
  async cancelRun() {
    return false;
  }
  async getRun(runId: string) {
    const r = this.records.get(runId);
    return r ? { ...r } : null;
  }
  async runMetrics(runId: string): Promise<MetricRow[]> {
    const r = this.records.get(runId);
    if (!r || r.status !== 'done') return [];
    const step = (s: number, rate: number): MetricRow => ({ kind: 'train', step: s, epoch: s, loss: 1, loss_label: 1, loss_rationale: 1, lr: 1, grad_norm: 1, samples_per_s: rate, tokens_per_s: 1, gpu_bytes: { weights: 0, grads: 0, optimizer: 0, activations: 0, scratch: 0 }, gpu_peak_bytes: 0, elapsed_s: s });
    return [step(1, 1), step(2, 30), step(3, 50)];
  }
}

const tiny = { name: 'tiny', source: { kind: 'folder' as const, path: '/m/tiny' } };
const grid = (ranks: number[], alphas: number[]) => expandGrid({ models: [tiny], methods: ['lora'], ranks, alphas, maxRatio: Infinity, seeds: [42], mixes: [0.5], base: {} });

describe('sweep queue', () => {
  it('skips a configuration whose estimate does not fit (with its estimate), records an OOM, and moves on', async () => {
    const dir = tempDir();
    const store = new FsSweepStore(dir);
    const engine = new EngineDouble();
    engine.oomRanks.add(8);
    const trials = grid([512, 8, 4], [16]);
    const queue = new SweepQueue(mergeQueue(null, trials, 'sweep'), store, engine, DATA);
    expect(await queue.run()).toBe('done');
    expect(queue.entries.map((e) => e.status)).toEqual(['does-not-fit', 'oom', 'done']);
    expect(engine.calls).not.toContain('start tiny-lora-r512-alpha16-s42');
    const skipped = queue.entries[0];
    expect(skipped.memory?.estimate.total).toBe(2048);
    expect(skipped.memory?.reason).toBe('needs 2048 bytes, the device has 1000');
    expect(queue.entries[1].error).toMatch(/out of memory/);
    const rows = parseResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    expect(rows.map((r) => [r.rank, r.status, r.best_eval_loss])).toEqual([[512, 'does-not-fit', null], [8, 'oom', null], [4, 'done', 1 / 16]]);
    // samples/s leaves out the first (compiling) step: mean of 30 and 50.
    expect(rows[2]).toMatchObject({ samples_per_s: 40, peak_gpu_bytes: 16, train_seconds: 10, final_eval_loss: 1.1 / 16, seed: 42, a: 0.5, exact_match: null });
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('model,method,rank,alpha,seed,a,status,best_eval_loss,final_eval_loss,samples_per_s,peak_gpu_bytes,train_seconds,exact_match');
    expect(csv[1]).toBe('tiny,lora,512,16,42,0.5,does-not-fit,,,,,,');
    const saved = JSON.parse(readFileSync(join(dir, 'queue.json'), 'utf8'));
    expect(saved.entries[0].memory.estimate.total).toBe(2048);
  });

  it('persists: a paused sweep reloads from queue.json, resumes the paused run from its checkpoint and runs the rest once', async () => {
    const dir = tempDir();
    const engine = new EngineDouble();
    const trials = grid([2, 4, 8], [16]);
    const first = new SweepQueue(mergeQueue(null, trials, 'sweep'), new FsSweepStore(dir), engine, DATA);
    const outcome = await first.run({ onEvent: (t, e) => (e.type === 'plan' && t.rank === 4 ? void first.pause() : undefined) });
    expect(outcome).toBe('paused');
    expect(first.entries.map((e) => e.status)).toEqual(['done', 'paused', 'pending']);
    expect(engine.records.get('tiny-lora-r4-alpha16-s42')!.step).toBe(0);

    // A new process: the same grid, the queue from disk.
    const store = new FsSweepStore(dir);
    const saved = await store.loadQueue();
    expect(saved!.entries.map((e) => e.status)).toEqual(['done', 'paused', 'pending']);
    // Paused on purpose: the studio leaves it paused after a reload.
    expect(saved!.pausedByUser).toBe(true);
    const second = new SweepQueue(mergeQueue(saved, grid([2, 4, 8], [16]), 'sweep'), store, engine, DATA);
    expect(await second.run()).toBe('done');
    expect(second.entries.map((e) => e.status)).toEqual(['done', 'done', 'done']);
    expect((await store.loadQueue())!.pausedByUser).toBe(false);
    expect(engine.calls.filter((c) => !c.startsWith('plan'))).toEqual([
      'start tiny-lora-r2-alpha16-s42', 'start tiny-lora-r4-alpha16-s42', 'resume tiny-lora-r4-alpha16-s42', 'start tiny-lora-r8-alpha16-s42',
    ]);
    expect(parseResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).length).toBe(3);
    // Running the finished sweep again starts nothing.
    const calls = engine.calls.length;
    const third = new SweepQueue(mergeQueue(await store.loadQueue(), trials, 'sweep'), store, engine, DATA);
    expect(await third.run()).toBe('done');
    expect(engine.calls.length).toBe(calls);
  });

  it('reorders and cancels waiting trials; only waiting trials move', async () => {
    const dir = tempDir();
    const engine = new EngineDouble();
    const queue = new SweepQueue(mergeQueue(null, grid([2, 4, 8], [16]), 'sweep'), new FsSweepStore(dir), engine, DATA);
    await queue.move('tiny-lora-r8-alpha16-s42', 0);
    await queue.cancel('tiny-lora-r4-alpha16-s42');
    expect(queue.entries.map((e) => [e.trial.rank, e.status])).toEqual([[8, 'pending'], [2, 'pending'], [4, 'cancelled']]);
    await queue.run();
    expect(engine.calls.filter((c) => c.startsWith('start'))).toEqual(['start tiny-lora-r8-alpha16-s42', 'start tiny-lora-r2-alpha16-s42']);
    await expect(queue.move('tiny-lora-r2-alpha16-s42', 0)).rejects.toThrow(/is done; only waiting trials move/);
    const rows = parseResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    expect(rows.map((r) => [r.rank, r.status])).toEqual([[8, 'done'], [2, 'done'], [4, 'cancelled']]);
  });
});
