// Exact resume through the CLI: `train --max-steps 2` then `train --resume RUN_DIR --max-steps 4` logs the same
// metrics, bit for bit, as `train --max-steps 4` in one go — with dropout and shuffling on, so the resumed run must
// restore the data order, the dropout seeds, the AdamW moments and the schedule, not just the weights.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricRow } from '../engine/run-api';
import { writeCliInputs } from '../testing/cli-inputs';
import { trainCommand } from './train';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-cli-resume-'));
const MODEL = join(ROOT, 'model');
const DATA = join(ROOT, 'data.jsonl');
// 8 rows, batch 2: 3 train steps per epoch, so step 2 is mid-epoch and step 4 is in the second epoch (after an eval).
const SETTINGS = ['--model', MODEL, '--data', DATA, '--method', 'lora', '--rank', '2', '--alpha', '4', '--batch-size', '2',
  '--lr', '1e-2', '--dropout-rate', '0.1', '--max-input-length', '16', '--max-target-length', '12', '--seed', '7'];

const setup = () => writeCliInputs(ROOT);

/** Every logged number of the run except wall-clock figures, in order. */
function trajectory(runDir: string): unknown[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const row = JSON.parse(l) as MetricRow;
    if (row.kind === 'eval') return row;
    const { step, epoch, loss, loss_label, loss_rationale, lr, grad_norm } = row;
    return { step, epoch, loss, loss_label, loss_rationale, lr, grad_norm };
  });
}

describe('train --resume', () => {
  afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

  it('2 steps + resume + 2 steps log exactly what 4 steps straight log (LoRA, dropout and shuffle on)', async () => {
    setup();
    const straight = join(ROOT, 'runs', 'straight');
    const halves = join(ROOT, 'runs', 'halves');
    expect(await trainCommand([...SETTINGS, '--out', straight, '--max-steps', '4'])).toBe(0);
    expect(await trainCommand([...SETTINGS, '--out', halves, '--max-steps', '2'])).toBe(0);
    expect(await trainCommand(['--resume', halves, '--max-steps', '4'])).toBe(0);
    const isEval = (r: unknown) => (r as MetricRow).kind === 'eval';
    const [straightRows, halvesRows] = [trajectory(straight), trajectory(halves)];
    expect(straightRows.filter((r) => !isEval(r))).toHaveLength(4);
    expect(halvesRows.filter((r) => !isEval(r))).toEqual(straightRows.filter((r) => !isEval(r)));
    // The first half also evaluated where it stopped (step 2); every evaluation of the straight run is there too.
    for (const e of straightRows.filter(isEval)) expect(halvesRows).toContainEqual(e);
  }, 600_000);
});
