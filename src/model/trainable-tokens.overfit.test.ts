// The reason trainable token rows exist: a tokenizer without "{" and "}" (as T5's), repaired with added tokens on
// spare embedding rows, and a LoRA adapter on a frozen base. With the rows training alongside, the adapter overfits
// a JSON label to exact-match greedy generation; the exported adapter carries the rows and reproduces it.
import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX, T5_PAD_ID } from '../common/tokenizer-types';
import { exportAdapter, importAdapter } from '../io/peft';
import { TINY_T5_DEFAULTS, tinyT5Config, tinyT5Weights } from '../io/tiny-t5';
import { makeTinyTokenizer } from '../io/tiny-tokenizer';
import { testGpu } from '../testing/gpu';
import { AdamW } from '../train/optimizer';
import type { TaskBatch } from './batch';
import { DssStep } from './dss-step';
import { T5Generator } from './generate';
import { addCharacterTokens, characterTokens } from './json-safe-tokenizer';
import { attachLora } from './lora';
import { loadT5, type T5Model } from './t5-model';
import { T5Runner } from './t5-runner';
import { createTextTokenizer } from './tokenizer';
import { attachTrainableTokens, TOKEN_ROWS_KEY } from './trainable-tokens';

// One short label whose every token has one successor: "{" and "}" are decoder inputs and outputs, and a 1-layer
// decoder (T5 has no absolute positions; LoRA leaves the relative bias frozen) needs no counting to fit it. What this
// tests is the rows, not telling inputs apart or counting braces (the run overfit tests cover learning itself).
const ROWS = [['count sales', '{"size":0}']];

const OPTIONS = { ...TINY_T5_DEFAULTS, dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 8, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}' };

function pad(rows: number[][], value: number): number[][] {
  const width = Math.max(...rows.map((r) => r.length));
  return rows.map((r) => [...r, ...Array<number>(width - r.length).fill(value)]);
}

async function generateAll(gpu: Awaited<ReturnType<typeof testGpu>>, model: T5Model, inputs: number[][], maxNew: number): Promise<number[][]> {
  const gen = new T5Generator(model, gpu, inputs.length, Math.max(...inputs.map((r) => r.length)), maxNew);
  try {
    return await gen.generate(pad(inputs, T5_PAD_ID), pad(inputs.map((r) => r.map(() => 1)), 0), { maxNewTokens: maxNew });
  } finally {
    gen.free();
  }
}

describe('LoRA with trainable token rows on a tokenizer without { }', () => {
  it('overfits a JSON label to exact match, and the exported adapter carries the rows', async () => {
    const gpu = await testGpu();
    const config = { ...tinyT5Config(OPTIONS), dropout_rate: 0 };
    const weights = tinyT5Weights(config, 5);
    const tiny = makeTinyTokenizer(OPTIONS.vocab - OPTIONS.spareRows, { omit: OPTIONS.omitChars });
    const plain = createTextTokenizer(tiny.tokenizerJson, tiny.tokenizerConfig);
    expect(plain.encode('{')).toContain(plain.unkId); // the premise: "{" cannot be written
    const repaired = addCharacterTokens(tiny.tokenizerJson, ['{', '}'], { vocabSize: config.vocab_size });
    const ids = characterTokens(repaired).map((t) => t.id);
    expect(ids).toEqual([156, 157]);
    const tok = createTextTokenizer(repaired, tiny.tokenizerConfig);

    const inputs = ROWS.map(([q]) => tok.encode(`predict: ${q}`));
    const labels = ROWS.map(([, l]) => tok.encode(l));
    expect(labels.map((l) => tok.decode(l))).toEqual(ROWS.map(([, l]) => l)); // lossless with the repair
    const batch: TaskBatch = { input_ids: pad(inputs, T5_PAD_ID), attention_mask: pad(inputs.map((r) => r.map(() => 1)), 0), labels: pad(labels, IGNORE_INDEX) };

    const model = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false });
    attachLora(gpu, model, { targets: 'all-linear', r: 8, alpha: 16, dropout: 0, seed: 1 });
    await attachTrainableTokens(gpu, model, ids, { trainable: true });
    const runner = new T5Runner(gpu, model.dims, model.params, { B: ROWS.length, Tin: batch.input_ids[0].length, Tout: batch.labels[0].length });
    const step = new DssStep(gpu, model, runner);
    const opt = new AdamW(gpu, model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
    const maxNew = Math.max(...labels.map((l) => l.length)) + 1;
    const want = ROWS.map(([, l]) => l);
    let texts: string[] = [];
    let loss = Infinity;
    // Train until greedy generation gives every label (checked every 10 steps once the loss is low).
    for (let s = 1; s <= 250; s++) {
      model.params.zeroGrads();
      loss = (await step.run({ label: batch }, { train: true, backward: true, seed: s, weights: { label: 1, rationale: 0 } })).label;
      opt.apply();
      if (loss < 0.3 && s % 5 === 0) {
        texts = (await generateAll(gpu, model, inputs, maxNew)).map((g) => tok.decode(g));
        if (texts.join('\n') === want.join('\n')) break;
      }
    }
    expect(texts, `loss ${loss}`).toEqual(want);

    const files = await exportAdapter(gpu, model, { baseModel: 'tiny' });
    const adapterConfig = JSON.parse(files.get('adapter_config.json') as string);
    expect(adapterConfig.trainable_token_indices).toEqual({ shared: ids, lm_head: ids });
    opt.free();
    step.free();
    runner.free();
    model.params.free();

    const fresh = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false });
    const imported = await importAdapter(gpu, fresh, files, { trainable: false });
    expect(imported.config.tokenIndices).toEqual({ shared: ids, lmHead: ids });
    expect(fresh.params.tokens?.shared.name).toBe(TOKEN_ROWS_KEY.shared);
    const again = (await generateAll(gpu, fresh, inputs, maxNew)).map((g) => tok.decode(g));
    expect(again).toEqual(want);
    fresh.params.free();
  }, 900_000);
});
