// `train --adapter DIR` continues an exported PEFT adapter: the run takes the adapter's LoRA settings, records where
// it started, trains the adapter's weights on (its first loss is not a fresh adapter's), and a --rank that
// contradicts the adapter is refused naming both values.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricRow, RunRecord } from '../engine/run-api';
import { exportAdapterCommand } from './export-adapter';
import { writeCliInputs } from '../testing/cli-inputs';
import { trainCommand } from './train';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-cli-adapter-'));
const MODEL = join(ROOT, 'model');
const DATA = join(ROOT, 'data.jsonl');
const SETTINGS = ['--model', MODEL, '--data', DATA, '--batch-size', '8', '--lr', '1e-2', '--dropout-rate', '0', '--max-input-length', '16', '--max-target-length', '12', '--seed', '7'];

const setup = () => writeCliInputs(ROOT);

const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
const firstLoss = (dir: string) => (JSON.parse(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n')[0]) as MetricRow & { loss: number }).loss;

describe('train --adapter', () => {
  afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

  it('continues an exported adapter with its settings, and refuses a contradicting --rank', async () => {
    setup();
    const first = join(ROOT, 'runs', 'first');
    const adapterDir = join(ROOT, 'first-adapter');
    expect(await trainCommand([...SETTINGS, '--out', first, '--method', 'lora', '--rank', '2', '--alpha', '4', '--lora-dropout', '0', '--targets', 'q,v', '--max-steps', '3'])).toBe(0);
    expect(await exportAdapterCommand(['--run', first, '--checkpoint', 'latest', '--out', adapterDir])).toBe(0);

    await expect(trainCommand([...SETTINGS, '--out', join(ROOT, 'runs', 'refused'), '--rank', '8', '--adapter', adapterDir, '--max-steps', '1'])).rejects.toThrow(/rank 8 differs from the adapter's r 2/);

    const next = join(ROOT, 'runs', 'next');
    expect(await trainCommand([...SETTINGS, '--out', next, '--adapter', adapterDir, '--max-steps', '2'])).toBe(0);
    const r = record(next);
    expect(r.status).toBe('done');
    expect(r.config.method).toBe('lora');
    expect(r.config.lora).toMatchObject({ rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v'] });
    expect(r.startedFrom).toMatchObject({ adapter: 'first-adapter', r: 2, alpha: 4 });
    // The first run's first loss is the untrained base's; the continued run starts from three steps of training.
    expect(firstLoss(next)).toBeLessThan(firstLoss(first) - 1e-3);
    const card = readFileSync(join(next, 'checkpoints', 'latest', 'adapter', 'README.md'), 'utf8');
    expect(card).toContain('Continued from adapter first-adapter');
  }, 600_000);
});
