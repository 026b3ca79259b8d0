// Overfit sanity: a tiny model trained on 4 rows reaches exact-match greedy generation of all 4 labels, with full
// fine-tuning and with LoRA (dropout off, label-only mix, a high constant lr so it takes a few steps).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../engine/loaded-model';
import { folderSource } from '../hosts/node/fs-source';
import { T5Generator } from '../model/generate';
import { createTextTokenizer } from '../model/tokenizer';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { prepareRunData } from './run-data';
import { Trainer } from './trainer';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const ROWS = ['Europe', 'Asia', 'Africa', 'Nordic'].map((region, i) => ({
  id: `r${i}`, question: `sales in ${region}?`, label: `{"size":${i + 1}}`, rationale: `count ${region.toLowerCase()}`,
}));

async function overfit(config: Partial<RunConfig>, steps: number): Promise<{ generated: string[]; labels: string[]; loss: number }> {
  const gpu = await testGpu();
  const { checkpoint, tokenizer } = await readCheckpoint(folderSource(TINY), () => undefined);
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
    return { generated: tokens.map((t) => tok.decode(t)), labels: data.train.map((e) => ROWS.find((r) => r.id === e.id)!.label), loss };
  } finally {
    trainer.free();
  }
}

describe('overfitting 4 rows reaches exact-match generation', () => {
  it('full fine-tuning', async () => {
    const { generated, labels, loss } = await overfit({ method: 'full', lr: 1e-2 }, 15);
    expect(loss).toBeLessThan(0.2);
    expect(generated).toEqual(labels);
  });

  it('LoRA (all linear layers, r 8)', async () => {
    const { generated, labels, loss } = await overfit({ method: 'lora', lr: 1e-2, lora: { rank: 8, alpha: 16, dropout: 0, targets: ['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wo'], rslora: false } }, 22);
    expect(loss).toBeLessThan(0.1);
    expect(generated).toEqual(labels);
  });
});
