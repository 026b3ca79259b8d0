import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { t5ParameterSpecs } from '../model/hf-names';
import { initStd, makeTinyT5, tinyT5Config, tinyT5Weights, TINY_T5_DEFAULTS } from './tiny-t5';

const FIXTURES = join(import.meta.dirname, '../../fixtures/tiny-t5');

describe('tiny T5 generator', () => {
  it('regenerates the committed fixtures byte for byte (the README commands)', () => {
    const cases = [
      ['tied-relu', { dModel: 32, dFf: 64, heads: 4, dKv: 8, layers: 2, decoderLayers: 2, vocab: 128, tied: true, ffn: 'relu', seed: 1 }],
      ['untied-gated', { dModel: 32, dFf: 64, heads: 2, dKv: 8, layers: 2, decoderLayers: 2, vocab: 128, tied: false, ffn: 'gated-gelu', seed: 2 }],
    ] as const;
    for (const [folder, opts] of cases) {
      for (const [name, data] of makeTinyT5(opts)) {
        const want = readFileSync(join(FIXTURES, folder, name));
        const got = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
        expect(got.equals(want), `${folder}/${name}`).toBe(true);
      }
    }
  });

  it('draws each tensor with HF init std and norms of one', () => {
    const c = tinyT5Config({ ...TINY_T5_DEFAULTS, dModel: 64, dFf: 256, heads: 4, dKv: 8, vocab: 300 });
    const w = tinyT5Weights(c, 7);
    for (const spec of t5ParameterSpecs(c)) {
      const x = w.get(spec.name)!;
      const std = initStd(spec, c);
      if (std === 0) {
        expect(x.every((v) => v === 1)).toBe(true);
        continue;
      }
      if (x.length < 2000) continue;
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
      expect(Math.abs(sd / std - 1), spec.name).toBeLessThan(0.08);
      expect(Math.abs(mean), spec.name).toBeLessThan(4 * std / Math.sqrt(x.length));
    }
    expect(initStd({ name: 'encoder.block.0.layer.0.SelfAttention.q.weight', shape: [], kind: 'linear' }, c)).toBeCloseTo((64 * 8) ** -0.5, 12);
    expect(initStd({ name: 'decoder.block.0.layer.2.DenseReluDense.wo.weight', shape: [], kind: 'linear' }, c)).toBeCloseTo(256 ** -0.5, 12);
  });

  it('is deterministic per seed and refuses a vocabulary too small for the tokenizer', () => {
    const a = makeTinyT5({ seed: 4, vocab: 100, dModel: 8, dFf: 8, dKv: 2 }).get('model.safetensors') as Uint8Array;
    const b = makeTinyT5({ seed: 4, vocab: 100, dModel: 8, dFf: 8, dKv: 2 }).get('model.safetensors') as Uint8Array;
    const c = makeTinyT5({ seed: 5, vocab: 100, dModel: 8, dFf: 8, dKv: 2 }).get('model.safetensors') as Uint8Array;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    expect(() => makeTinyT5({ vocab: 50 })).toThrow(/vocab 50 is too small for the tiny tokenizer: it needs at least 83/);
  });
});
