import { describe, expect, it } from 'vitest';
import { ablationGrid, adapterPairs, expandGrid, paperGrid, PAPER_ALPHAS, PAPER_RANKS } from './grid';

const folder = (name: string) => ({ name, source: { kind: 'folder' as const, path: `/m/${name}` } });

describe('grid expansion', () => {
  it("the paper's rank/alpha pairs: rank 32 -> 32..128, 64 -> 32..256, 128 -> 32..512 (alpha:rank 1:4 .. 4:1)", () => {
    const pairs = adapterPairs(PAPER_RANKS, PAPER_ALPHAS, 4);
    const byRank = (r: number) => pairs.filter((p) => p.rank === r).map((p) => p.alpha);
    expect(byRank(32)).toEqual([32, 64, 128]);
    expect(byRank(64)).toEqual([32, 64, 128, 256]);
    expect(byRank(128)).toEqual([32, 64, 128, 256, 512]);
    expect(pairs.length).toBe(12);
  });

  it("the paper's grid on small and base: per model 1 full + 12 LoRA + 12 QLoRA = 25, 50 runs in all, ids unique", () => {
    const trials = expandGrid(paperGrid());
    expect(trials.length).toBe(50);
    for (const model of ['flan-t5-small', 'flan-t5-base']) {
      const mine = trials.filter((t) => t.model === model);
      expect(mine.filter((t) => t.method === 'full').length).toBe(1);
      expect(mine.filter((t) => t.method === 'lora').length).toBe(12);
      expect(mine.filter((t) => t.method === 'qlora').length).toBe(12);
    }
    expect(new Set(trials.map((t) => t.id)).size).toBe(50);
    const full = trials.find((t) => t.method === 'full')!;
    expect([full.rank, full.alpha, full.config.lora]).toEqual([null, null, undefined]);
    const q = trials.find((t) => t.model === 'flan-t5-base' && t.method === 'qlora' && t.rank === 64 && t.alpha === 256)!;
    expect(q.config).toMatchObject({ method: 'qlora', seed: 42, a: 0.5, lora: { rank: 64, alpha: 256 } });
    expect(q.source).toEqual({ kind: 'hub', id: 'google/flan-t5-base' });
    expect(q.id).toBe('flan-t5-base-qlora-r64-alpha256-s42');
  });

  it('base settings reach every trial; double quantization only the QLoRA ones; seeds multiply', () => {
    const trials = expandGrid({ models: [folder('tiny')], methods: ['full', 'lora', 'qlora'], ranks: [2, 4], alphas: [4, 8], maxRatio: 4, seeds: [1, 2], mixes: [0.5], base: { lr: 1e-3, doubleQuant: true, lora: { dropout: 0 } as never } });
    expect(trials.length).toBe((1 + 4 + 4) * 2);
    expect(trials.every((t) => t.config.lr === 1e-3)).toBe(true);
    expect(trials.filter((t) => t.config.doubleQuant).every((t) => t.method === 'qlora')).toBe(true);
    expect(trials.find((t) => t.method === 'lora')!.config.lora).toEqual({ dropout: 0, rank: 2, alpha: 4 });
  });

  it('the ablation: models x methods x seeds (default 2) x a in {0.5, 1.0}', () => {
    const trials = expandGrid(ablationGrid([folder('small'), folder('base')], ['lora', 'qlora']));
    expect(trials.length).toBe(2 * 2 * 2 * 2);
    expect(trials.filter((t) => t.a === 1).length).toBe(8);
    expect(new Set(trials.map((t) => t.seed))).toEqual(new Set([1, 2]));
    expect(trials[0].id).toBe('small-lora-r128-alpha512-s1-a0.5');
  });

  it('refuses grids it cannot run, naming the problem', () => {
    const spec = { models: [folder('t')], methods: ['lora' as const], ranks: [128], alphas: [8], maxRatio: 4, seeds: [42], mixes: [0.5], base: {} };
    expect(() => expandGrid(spec)).toThrow(/no rank\/alpha pair lies within 1:4/);
    expect(() => expandGrid({ ...spec, alphas: [128], mixes: [1.5] })).toThrow(/a = 1.5 is not in \[0, 1\]/);
    expect(() => expandGrid({ ...spec, alphas: [128], models: [folder('t'), folder('t')] })).toThrow(/two models share the name "t"/);
  });
});
