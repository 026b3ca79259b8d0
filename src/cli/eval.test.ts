// `eval --adapter` on a QLoRA run's adapter needs no --nf4: the adapter's model card says how its base was stored,
// so the loss equals `eval --run` of the same run. Without a card the base is full precision and the user is told
// to pass --nf4; --double-quant without NF4 says why it cannot apply.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterBase } from '../engine/adapter-base';
import { evalCommand } from './eval';
import { writeCliInputs } from '../testing/cli-inputs';
import { trainCommand } from './train';

const ROOT = mkdtempSync(join(tmpdir(), 'stepwise-cli-eval-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const MODEL = join(ROOT, 'model');
const DATA = join(ROOT, 'data.jsonl');
const SPLIT = ['--seed', '7', '--max-input-length', '16', '--max-target-length', '12', '--batch-size', '2'];

const setup = () => writeCliInputs(ROOT, { dKv: 16, seed: 3 });

const evalLoss = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { eval_loss: number }).eval_loss;

describe('eval --adapter of a QLoRA run', () => {
  it('loads the base as NF4 (double-quantized) from the adapter card: the loss of eval --run; without the card it is not', async () => {
    setup();
    const run = join(ROOT, 'run');
    expect(await trainCommand(['--model', MODEL, '--data', DATA, '--out', run, '--method', 'qlora', '--double-quant', '--rank', '2', '--alpha', '4',
      '--lr', '5e-2', '--max-steps', '2', ...SPLIT])).toBe(0);
    const adapter = join(run, 'checkpoints', 'latest', 'adapter');
    expect(readFileSync(join(adapter, 'README.md'), 'utf8')).toContain('QLoRA: base weights NF4 during training, blocksize 64, absmax double-quantized');

    // --run takes the run's settings; --adapter is given the same ones as flags.
    const common = ['--model', MODEL, '--data', DATA];
    expect(await evalCommand([...common, '--run', run, '--out', join(ROOT, 'run.json')])).toBe(0);
    expect(await evalCommand([...common, ...SPLIT, '--adapter', adapter, '--out', join(ROOT, 'adapter.json')])).toBe(0);
    expect(evalLoss(join(ROOT, 'adapter.json'))).toBe(evalLoss(join(ROOT, 'run.json')));

    // The same adapter without its card: a full-precision base, so another loss, and a note saying to pass --nf4.
    const bare = join(ROOT, 'bare-adapter');
    cpSync(adapter, bare, { recursive: true });
    rmSync(join(bare, 'README.md'));
    expect(adapterBase(undefined, bare, { nf4: false, doubleQuant: false })).toMatchObject({ nf4: false, note: expect.stringMatching(/no Stepwise model card .*pass --nf4/) });
    expect(await evalCommand([...common, ...SPLIT, '--adapter', bare, '--out', join(ROOT, 'bare.json')])).toBe(0);
    expect(evalLoss(join(ROOT, 'bare.json'))).not.toBe(evalLoss(join(ROOT, 'run.json')));
    expect(await evalCommand([...common, ...SPLIT, '--adapter', bare, '--nf4', '--double-quant', '--out', join(ROOT, 'flags.json')])).toBe(0);
    expect(evalLoss(join(ROOT, 'flags.json'))).toBe(evalLoss(join(ROOT, 'run.json')));
    expect(() => adapterBase(undefined, bare, { nf4: false, doubleQuant: true })).toThrow(/--double-quant needs --nf4: .*bare-adapter has no Stepwise model card/);
  }, 600_000);

  it('reads a LoRA card as full precision and says so when --nf4 overrides it', () => {
    const dir = join(ROOT, 'lora-card');
    const card = '# x\n\n## Method\n\nm\n\n- PEFT LoRA (base weights in full precision)\n- target modules: q, v\n';
    expect(adapterBase(card, dir, { nf4: false, doubleQuant: false })).toEqual({ nf4: false, doubleQuant: false, note: null });
    expect(adapterBase(card, dir, { nf4: true, doubleQuant: false })).toMatchObject({ nf4: true, note: expect.stringContaining('full-precision base; evaluating on an NF4 base') });
    expect(() => adapterBase(card, dir, { nf4: false, doubleQuant: true })).toThrow(/says the adapter trained on a full-precision base/);
    // Another tool's card says nothing about the base: treated as no card.
    expect(adapterBase('# my adapter\n\ntrained somewhere\n', dir, { nf4: false, doubleQuant: false })).toMatchObject({ nf4: false, note: expect.stringContaining('pass --nf4') });
  });
});
