// Generation with the decoder's LoRA adapters merged into weight copies: the copies hold W + scaling * B A (float64
// reference), encoder and NF4 linears keep their adapters, a budget too small merges nothing, and greedy tokens and
// beams are those of the unmerged decode, with one matmul per linear per step instead of three.
import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../testing/gpu';
import { T5Generator } from './generate';
import { mergeDecoderAdapters } from './generate-merge';
import { attachLora } from './lora';
import { tinyModel } from './lora.testing';
import type { T5Model } from './t5-model';

/** A tiny model with adapters on every linear, B random so the adapters change the outputs. */
async function adapted(checkpoint: string, qlora = false): Promise<T5Model> {
  const gpu = await testGpu();
  const model = await tinyModel(checkpoint, qlora ? {} : undefined);
  const adapters = attachLora(gpu, model, { targets: 'all-linear', r: 4, alpha: 8, dropout: 0.1, seed: 3 });
  adapters.forEach((a, i) => gpu.write(a.B.value, randomFloats(a.B.value.size, 100 + i, -0.5, 0.5)));
  return model;
}

const INPUT = { ids: [[5, 9, 14, 3, 22, 1], [7, 7, 30, 1, 0, 0]], mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]] };

describe('generation with merged decoder adapters', { timeout: 300_000 }, () => {
  it('merges exactly the decoder f32 linears, W + scaling * B A', async () => {
    const gpu = await testGpu();
    const model = await adapted('untied-gated');
    const merged = mergeDecoderAdapters(gpu, model.params)!;
    try {
      merged.refresh();
      const decoder = [...model.params.adapters.keys()].filter((p) => p.startsWith('decoder.'));
      expect([...merged.merged].sort()).toEqual(decoder.sort());
      expect(decoder.length).toBeGreaterThan(0);
      // Encoder adapters stay on the view; merged decoder ones are gone from it.
      expect([...merged.params.adapters.keys()].every((p) => p.startsWith('encoder.'))).toBe(true);
      for (const path of [decoder[0], decoder[decoder.length - 1]]) {
        const a = model.params.adapters.get(path)!;
        const [out, inp] = model.params.get(`${path}.weight`).shape;
        const [w, A, B, got] = await Promise.all([
          gpu.readF32(model.params.value(`${path}.weight`)), gpu.readF32(a.A.value), gpu.readF32(a.B.value), gpu.readF32(merged.params.value(`${path}.weight`)),
        ]);
        const want = new Float64Array(out * inp);
        for (let o = 0; o < out; o++) {
          for (let i = 0; i < inp; i++) {
            let s = 0;
            for (let k = 0; k < a.r; k++) s += B[o * a.r + k] * A[k * inp + i];
            want[o * inp + i] = w[o * inp + i] + a.scaling * s;
          }
        }
        expect(closeness(got, want, { rtol: 1e-5, atol: 1e-6 }), path).toBeNull();
      }
    } finally {
      merged.free();
    }
  });

  it('leaves NF4 bases on the adapter path and merges nothing over the budget', async () => {
    const gpu = await testGpu();
    const qlora = await adapted('untied-gated', true);
    const merged = mergeDecoderAdapters(gpu, qlora.params)!;
    try {
      const storage = (path: string) => qlora.params.get(`${path}.weight`).storage;
      // QLoRA keeps DenseReluDense.wo in f32 (as Transformers does): only those merge.
      expect(merged.merged.length).toBeGreaterThan(0);
      expect(merged.merged.every((p) => storage(p) === 'dense' && p.endsWith('.wo'))).toBe(true);
      const nf4Decoder = [...qlora.params.adapters.keys()].filter((p) => p.startsWith('decoder.') && storage(p) === 'nf4');
      expect(nf4Decoder.length).toBeGreaterThan(0);
      for (const p of nf4Decoder) expect(merged.params.adapters.get(p)).toBe(qlora.params.adapters.get(p));
    } finally {
      merged.free();
    }
    expect(mergeDecoderAdapters(gpu, (await adapted('untied-gated')).params, 1024)).toBeNull();
  });

  for (const checkpoint of ['untied-gated', 'tied-relu']) {
    it(`${checkpoint}: greedy and beam tokens equal the unmerged decode's, with fewer dispatches`, async () => {
      const gpu = await testGpu();
      const model = await adapted(checkpoint);
      const decode = async (mergeBudgetBytes: number | undefined, numBeams: number) => {
        const gen = new T5Generator(model, gpu, 2 * numBeams, 6, 8, mergeBudgetBytes === undefined ? {} : { mergeBudgetBytes });
        try {
          const before = gpu.counters().dispatches;
          const tokens = await gen.generate(INPUT.ids, INPUT.mask, { maxNewTokens: 8, numBeams });
          return { tokens, dispatches: gpu.counters().dispatches - before };
        } finally {
          gen.free();
        }
      };
      const plain = await decode(0, 1);
      const merged = await decode(undefined, 1);
      expect(merged.tokens).toEqual(plain.tokens);
      expect(merged.dispatches).toBeLessThan(plain.dispatches);
      expect((await decode(undefined, 3)).tokens).toEqual((await decode(0, 3)).tokens);
    });
  }
});
