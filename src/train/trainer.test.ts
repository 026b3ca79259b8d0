// Overfit sanity: a tiny model trained on 4 rows reaches exact-match greedy generation of all 4 labels, with full
// fine-tuning and with LoRA (dropout off, label-only mix, a high constant lr so it takes a few steps). The LoRA case
// uses a tokenizer without "{" and "}", so the run must add them and train their embedding and lm_head rows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../engine/loaded-model';
import { folderSource } from '../hosts/node/fs-source';
import { exportAdapter } from '../io/peft';
import { readSafetensorsHeader } from '../io/safetensors';
import { memorySource } from '../io/byte-source';
import { makeTinyT5 } from '../io/tiny-t5';
import { TOKEN_ROWS_KEY } from '../model/trainable-tokens';
import { T5Generator } from '../model/generate';
import { createTextTokenizer } from '../model/tokenizer';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { prepareRunData } from './run-data';
import { Trainer } from './trainer';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const rows = (question: (region: string) => string) => ['Europe', 'Asia', 'Africa', 'Nordic'].map((region, i) => ({
  id: `r${i}`, question: question(region), label: `{"size":${i + 1}}`, rationale: `count ${region.toLowerCase()}`,
}));
type Rows = ReturnType<typeof rows>;

interface Overfit {
  generated: string[];
  labels: string[];
  loss: number;
  /** The report's added characters, the trained token rows, and the PEFT files of a LoRA run. */
  added: string[];
  tokenRows: readonly number[];
  adapter: Map<string, Uint8Array | string> | null;
}

async function overfit(config: Partial<RunConfig>, steps: number, folder: string, ROWS: Rows): Promise<Overfit> {
  const gpu = await testGpu();
  const { checkpoint, tokenizer } = await readCheckpoint(folderSource(folder), () => undefined);
  const c = parseRunConfig({ a: 1, batchSize: 4, evalFraction: 0, schedule: 'constant', dropoutRate: 0, maxInputLength: 16, maxTargetLength: 12, ...config });
  const data = prepareRunData(ROWS, tokenizer, { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size }, c);
  expect(data.train).toHaveLength(4);
  const trainer = await Trainer.create({ gpu, checkpoint, config: c, data, totalSteps: steps });
  try {
    let loss = NaN;
    while (!trainer.done) loss = (await trainer.trainStep()).metrics.loss;
    const inputs = data.train.map((e) => e.label.inputIds);
    const Tin = Math.max(...inputs.map((i) => i.length));
    const gen = new T5Generator(trainer.model, gpu, inputs.length, Tin, 12);
    const tokens = await gen.generate(
      inputs.map((x) => [...x, ...Array<number>(Tin - x.length).fill(0)]),
      inputs.map((x) => Array.from({ length: Tin }, (_, j) => (j < x.length ? 1 : 0))),
      { maxNewTokens: 12 },
    );
    gen.free();
    const tok = createTextTokenizer(data.tokenizer.tokenizerJson, data.tokenizer.tokenizerConfig);
    return {
      generated: tokens.map((t) => tok.decode(t)), labels: data.train.map((e) => ROWS.find((r) => r.id === e.id)!.label), loss,
      added: data.report.addedCharacters, tokenRows: trainer.model.params.tokens?.ids ?? [],
      adapter: c.method === 'full' ? null : await exportAdapter(gpu, trainer.model, { baseModel: folder }),
    };
  } finally {
    trainer.free();
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A tiny checkpoint whose tokenizer lacks "{" and "}" (as T5's), with 4 spare embedding rows for them. */
function braceless(): string {
  const dir = mkdtempSync(join(tmpdir(), 'braceless-'));
  dirs.push(dir);
  for (const [name, data] of makeTinyT5({ dModel: 32, dFf: 64, heads: 2, dKv: 8, vocab: 128, spareRows: 4, omitChars: '{}', seed: 3 })) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const LORA_ALL = { rank: 8, alpha: 16, dropout: 0, targets: ['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wo'], rslora: false };

// Heavy on a shared CPU: SwiftShader runs every step; the limit is generous so a busy machine does not fail them.
it('a full fine-tune starts the added characters\' embedding and lm_head rows at the mean row', async () => {
  const gpu = await testGpu();
  const folder = braceless();
  const { checkpoint, tokenizer } = await readCheckpoint(folderSource(folder), () => undefined);
  const c = parseRunConfig({ method: 'full', evalFraction: 0 });
  const data = prepareRunData(rows((r) => `${r}?`), tokenizer, { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size }, c);
  expect(data.addedTokenIds).toHaveLength(2);
  const trainer = await Trainer.create({ gpu, checkpoint, config: c, data });
  try {
    const C = checkpoint.config.d_model;
    const below = Math.min(...data.addedTokenIds);
    for (const name of ['shared.weight', 'lm_head.weight']) {
      const base = await checkpoint.readTensor(name);
      const mean = Array.from({ length: C }, (_, j) => {
        let s = 0;
        for (let v = 0; v < below; v++) s += base[v * C + j];
        return s / below;
      });
      const now = await gpu.readF32(trainer.model.params.value(name));
      for (const id of data.addedTokenIds) expect(Array.from(now.subarray(id * C, (id + 1) * C)).map((x, j) => Math.abs(x - mean[j]) < 1e-6)).not.toContain(false);
      // Every other row is the checkpoint's.
      expect(now.subarray(0, below * C)).toEqual(base.subarray(0, below * C));
    }
  } finally {
    trainer.free();
  }
});

describe('overfitting 4 rows reaches exact-match generation', { timeout: 400_000 }, () => {
  it('full fine-tuning', async () => {
    const { generated, labels, loss, added, tokenRows } = await overfit({ method: 'full', lr: 1e-2 }, 15, TINY, rows((r) => `sales in ${r}?`));
    expect(loss).toBeLessThan(0.2);
    expect(generated).toEqual(labels);
    expect([added, tokenRows]).toEqual([[], []]); // this tokenizer has { and }: nothing added
  });

  it('LoRA with a tokenizer that lacks { and }: the added characters\' rows train and the adapter carries them', async () => {
    const { generated, labels, added, tokenRows, adapter } = await overfit({ method: 'lora', lr: 1e-2, lora: LORA_ALL }, 35, braceless(), rows((r) => `${r}?`));
    expect([...added].sort()).toEqual(['{', '}']);
    expect(tokenRows).toHaveLength(2);
    const config = JSON.parse(adapter!.get('adapter_config.json') as string) as { trainable_token_indices: unknown };
    expect(JSON.stringify(config.trainable_token_indices)).toContain(String(tokenRows[0]));
    const header = await readSafetensorsHeader(memorySource(adapter!.get('adapter_model.safetensors') as Uint8Array, 'adapter'), 'adapter');
    expect([...header.tensors.keys()]).toEqual(expect.arrayContaining([TOKEN_ROWS_KEY.shared, TOKEN_ROWS_KEY.lmHead]));
    expect(generated).toEqual(labels);
  });
});
