// Trainable token rows (PEFT's trainable tokens next to LoRA): the rows' gradients equal the matching rows of the full
// gradients, they start at the mean of the existing rows, only they change while the rest of both matrices stays
// frozen, and detaching gives the base rows back.
import { describe, expect, it } from 'vitest';
import { tensorMismatch } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { AdamW } from '../train/optimizer';
import { attachLora, detachLora } from './lora';
import { goldenBatch, harness, tinyModel } from './lora.testing';
import { loadT5 } from './t5-model';
import { tinyCheckpoint } from '../testing/checkpoint';
import { attachTrainableTokens, detachTrainableTokens, tokenRowsGradIndex } from './trainable-tokens';

// Ids that occur in the golden batches' encoder inputs (73), decoder inputs (27) and both (20).
const IDS = [20, 27, 73];
const WEIGHTS = { label: 0.5, rationale: 0.5 };

function rows(all: Float32Array, ids: readonly number[], C: number): Float32Array {
  const out = new Float32Array(ids.length * C);
  ids.forEach((id, j) => out.set(all.subarray(id * C, (id + 1) * C), j * C));
  return out;
}

describe('trainable token rows', () => {
  it('groups the batch positions of trained ids by row', () => {
    const index = tokenRowsGradIndex([5, 9, 5, 0, 7, 9], [5, 7, 8, 9]);
    expect(Array.from(index.uniqueIds)).toEqual([0, 1, 3]);
    expect(Array.from(index.offsets)).toEqual([0, 2, 3, 5]);
    expect(Array.from(index.positions)).toEqual([0, 2, 4, 1, 5]);
  });

  for (const name of ['untied-gated', 'tied-relu'] as const) {
    it(`their gradients are the full model's gradient rows (${name}: embedding${name === 'untied-gated' ? ' and lm_head' : ', tied head'})`, async () => {
      const gpu = await testGpu();
      const batch = goldenBatch(name === 'untied-gated' ? 'untied-gated-all' : 'tied-relu-qv');
      const { config, weights } = await tinyCheckpoint(name);
      const C = config.d_model;
      const full = await harness(await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true }));
      full.model.params.zeroGrads();
      await full.step.run(batch, { train: false, backward: true, seed: 0, weights: WEIGHTS });
      const wantShared = rows(await gpu.readF32(full.model.params.get('shared.weight').grad!), IDS, C);
      const wantHead = config.tie_word_embeddings ? null : rows(await gpu.readF32(full.model.params.get('lm_head.weight').grad!), IDS, C);
      full.free();

      const h = await harness(await tinyModel(name));
      // Rows equal to the base rows, so the forward is the base model's and the gradients must agree.
      const base = (n: string) => rows(weights.get(n)!, IDS, C);
      const t = await attachTrainableTokens(gpu, h.model, IDS, {
        trainable: true, rows: { shared: base('shared.weight'), lmHead: wantHead ? base('lm_head.weight') : null },
      });
      expect(h.model.params.trainable().map((p) => p.name)).toEqual([t.shared, ...(t.lmHead ? [t.lmHead] : [])].map((p) => p.name));
      h.model.params.zeroGrads();
      await h.step.run(batch, { train: false, backward: true, seed: 0, weights: WEIGHTS });
      expect(tensorMismatch('shared rows', await gpu.readF32(t.shared.grad!), wantShared, 1e-5)).toBeNull();
      if (wantHead) expect(tensorMismatch('lm_head rows', await gpu.readF32(t.lmHead!.grad!), wantHead, 1e-5)).toBeNull();
      else expect(t.lmHead).toBeNull();
      h.free();
    });
  }

  it('start at the mean of the existing rows; AdamW moves only them; detaching restores the base rows', async () => {
    const gpu = await testGpu();
    const { config, weights } = await tinyCheckpoint('untied-gated');
    const C = config.d_model;
    const h = await harness(await tinyModel('untied-gated'));
    attachLora(gpu, h.model, { r: 2, alpha: 4, dropout: 0, targets: ['q', 'v'] });
    const ids = [120, 27];
    const t = await attachTrainableTokens(gpu, h.model, ids, { trainable: true });
    expect(t.ids).toEqual([27, 120]);
    // The mean over rows below the smallest trained id (27), for each matrix.
    for (const [name, p] of [['shared.weight', t.shared], ['lm_head.weight', t.lmHead!]] as const) {
      const all = weights.get(name)!;
      const mean = new Float64Array(C);
      for (let v = 0; v < 27; v++) for (let c = 0; c < C; c++) mean[c] += all[v * C + c] / 27;
      const want = new Float32Array(2 * C);
      want.set(mean, 0);
      want.set(mean, C);
      expect(tensorMismatch(p.name, await gpu.readF32(p.value!), want, 1e-6)).toBeNull();
      // Copied into the base matrix right away.
      expect(tensorMismatch(`${name} rows`, rows(await gpu.readF32(h.model.params.value(name)), [27, 120], C), want, 0)).toBeNull();
    }
    const initial = await gpu.readF32(t.shared.value!);
    const opt = new AdamW(gpu, h.model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 });
    const batch = goldenBatch('untied-gated-all');
    for (let s = 0; s < 2; s++) {
      h.model.params.zeroGrads();
      await h.step.run(batch, { train: true, backward: true, seed: s, weights: WEIGHTS });
      opt.apply();
    }
    const before = await gpu.readF32(t.shared.value!);
    h.model.params.zeroGrads();
    await h.step.run(batch, { train: false, backward: false, seed: 0, weights: WEIGHTS }); // a forward copies the rows in
    for (const [name, p] of [['shared.weight', t.shared], ['lm_head.weight', t.lmHead!]] as const) {
      const now = await gpu.readF32(h.model.params.value(name));
      const trained = await gpu.readF32(p.value!);
      expect(rows(now, [27, 120], C)).toEqual(trained);
      const moved = rows(now, [27], C).some((v, c) => v !== rows(now, [120], C)[c]);
      expect(moved, `${name}: row 27 (in the batch) trained away from row 120 (not in it)`).toBe(true);
      // Every other row is the checkpoint's, bit for bit.
      const orig = weights.get(name)!;
      const others = [...now.keys()].filter((i) => Math.floor(i / C) !== 27 && Math.floor(i / C) !== 120);
      expect(others.filter((i) => now[i] !== orig[i]).length, name).toBe(0);
    }
    // Row 120 never occurs in the batch: its gradient is zero, so only the decoupled weight decay moves it.
    const decayed = initial.slice(C).map((v) => v * (1 - 1e-2 * 0.01) ** 2);
    expect(tensorMismatch('row 120', before.slice(C), decayed, 1e-6)).toBeNull();
    opt.free();
    detachLora(gpu, h.model);
    expect(h.model.params.tokens).toBeNull();
    for (const name of ['shared.weight', 'lm_head.weight']) {
      expect(rows(await gpu.readF32(h.model.params.value(name)), [27, 120], C)).toEqual(rows(weights.get(name)!, [27, 120], C));
    }
    h.free();
  });

  it('refuses bad ids, a second attach and a fully trained embedding, naming the problem', async () => {
    const gpu = await testGpu();
    const h = await harness(await tinyModel('tied-relu'));
    const V = h.model.dims.V;
    await expect(attachTrainableTokens(gpu, h.model, [V], { trainable: true })).rejects.toThrow(new RegExp(`id ${V} is not a row`));
    await expect(attachTrainableTokens(gpu, h.model, [5, 5], { trainable: true })).rejects.toThrow(/id 5 is given twice/);
    await expect(attachTrainableTokens(gpu, h.model, [0], { trainable: true })).rejects.toThrow(/id 0 is the pad/);
    await expect(attachTrainableTokens(gpu, h.model, [5], { trainable: true, rows: { shared: new Float32Array(3), lmHead: null } })).rejects.toThrow(/expected shape \[1, \d+\]/);
    await attachTrainableTokens(gpu, h.model, [5], { trainable: false });
    await expect(attachTrainableTokens(gpu, h.model, [6], { trainable: true })).rejects.toThrow(/already trains the rows of tokens 5/);
    detachTrainableTokens(gpu, h.model.params);
    h.free();
    const { config, weights } = await tinyCheckpoint('tied-relu');
    const full = await loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: true });
    await expect(attachTrainableTokens(gpu, full, [5], { trainable: true })).rejects.toThrow(/full fine-tuning already trains every row/);
    full.params.free();
  });
});
