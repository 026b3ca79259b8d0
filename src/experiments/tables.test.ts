import { describe, expect, it } from 'vitest';
import { ablationRows, reportFiles } from './report';
import type { ResultRow } from './results';
import { ablationTable, heatmaps, leaderboard, quadChart, spread } from './tables';

const row = (o: Partial<ResultRow>): ResultRow => ({
  model: 'small', method: 'lora', rank: 32, alpha: 64, seed: 42, a: 0.5, status: 'done', best_eval_loss: 0.1, final_eval_loss: 0.1,
  samples_per_s: 10, peak_gpu_bytes: 1000, train_seconds: 100, exact_match: null, ...o,
});

describe('Table 4 (ablation)', () => {
  const rows = [
    row({ seed: 1, a: 0.5, best_eval_loss: 0.08, exact_match: 0.7 }),
    row({ seed: 1, a: 1.0, best_eval_loss: 0.085, exact_match: 0.6 }),
    row({ seed: 2, a: 0.5, best_eval_loss: 0.09, exact_match: 0.8 }),
    row({ seed: 2, a: 1.0, best_eval_loss: 0.1, exact_match: 0.6 }),
    row({ method: 'qlora', seed: 1, a: 0.5, best_eval_loss: 0.09 }),
    row({ method: 'qlora', seed: 1, a: 1.0, best_eval_loss: 0.08 }),
    row({ method: 'qlora', seed: 2, a: 0.5, best_eval_loss: 0.07 }),
    row({ method: 'qlora', seed: 2, a: 1.0, status: 'oom', best_eval_loss: null }),
  ];

  it('per seed: loss at each a and their difference (label-only minus DSS); mean and sample sd over seeds', () => {
    const [lora, qlora] = ablationTable(rows);
    expect(lora.seeds.map((s) => [s.seed, s.lossDss, s.lossLabelOnly])).toEqual([[1, 0.08, 0.085], [2, 0.09, 0.1]]);
    expect(lora.seeds[0].difference).toBeCloseTo(0.005, 12);
    expect(lora.seeds[1].difference).toBeCloseTo(0.01, 12);
    expect(lora.meanDss).toBeCloseTo(0.085, 12);
    expect(lora.meanLabelOnly).toBeCloseTo(0.0925, 12);
    expect(lora.meanDifference).toBeCloseTo(0.0075, 12);
    expect(lora.spreadDifference).toBeCloseTo(Math.sqrt(2 * 0.0025 ** 2), 12);
    expect(lora.meanExactDifference).toBeCloseTo(0.15, 12);
    expect(lora.spreadExactDifference).toBeCloseTo(Math.sqrt(2 * 0.05 ** 2), 12);
    expect([lora.dssWins, lora.pairs]).toEqual([2, 2]);
    // QLoRA: seed 2's label-only run ran out of memory, so only seed 1 pairs (and there label-only won).
    expect(qlora.seeds[1]).toMatchObject({ lossDss: 0.07, lossLabelOnly: null, difference: null });
    expect(qlora.meanDifference).toBeCloseTo(-0.01, 12);
    expect([qlora.spreadDifference, qlora.dssWins, qlora.pairs, qlora.meanExactDifference]).toEqual([0, 0, 1, null]);
    const flat = ablationRows([lora]);
    expect(flat.map((r) => r.seed)).toEqual([1, 2, 'mean', 'sd']);
  });

  it('sample standard deviation', () => {
    expect(spread([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935, 8);
    expect([spread([]), spread([3])]).toEqual([null, 0]);
  });
});

describe('Figure 7 (heatmap)', () => {
  it('mean best eval loss per rank x alpha over models and seeds, LoRA and QLoRA apart; unfinished and full runs left out', () => {
    const rows = [
      row({ rank: 32, alpha: 32, best_eval_loss: 0.2 }),
      row({ rank: 32, alpha: 32, best_eval_loss: 0.4, model: 'base' }),
      row({ rank: 32, alpha: 32, best_eval_loss: 0.9, seed: 7, status: 'failed' }),
      row({ rank: 64, alpha: 128, best_eval_loss: 0.3 }),
      row({ method: 'qlora', rank: 64, alpha: 32, best_eval_loss: 0.5 }),
      row({ method: 'full', rank: null, alpha: null, best_eval_loss: 0.01 }),
    ];
    const [lora, qlora] = heatmaps(rows);
    expect(lora.ranks).toEqual([32, 64]);
    expect(lora.alphas).toEqual([32, 128]);
    expect(lora.cells[0][0]).toBeCloseTo(0.3, 12);
    expect(lora.cells).toEqual([[lora.cells[0][0], null], [null, 0.3]]);
    expect(lora.counts).toEqual([[2, 0], [0, 1]]);
    expect(qlora.cells).toEqual([[null, null], [0.5, null]]);
    expect(heatmaps(rows, ['base'])[0].cells).toEqual([[0.4]]);
  });
});

describe('Table 3 and Figure 6', () => {
  const rows = [
    row({ best_eval_loss: 0.3, peak_gpu_bytes: 10 }),
    row({ method: 'full', rank: null, alpha: null, best_eval_loss: 0.1, samples_per_s: 20, peak_gpu_bytes: 30, train_seconds: 50 }),
    row({ status: 'does-not-fit', best_eval_loss: null, peak_gpu_bytes: null }),
    row({ best_eval_loss: 0.2, peak_gpu_bytes: 20, samples_per_s: 30, train_seconds: 300 }),
  ];

  it('the leaderboard sorts by best eval loss (or any column), filters, and lists unfinished rows last', () => {
    expect(leaderboard(rows).map((r) => [r.best_eval_loss, r.status])).toEqual([[0.1, 'done'], [0.2, 'done'], [0.3, 'done'], [null, 'does-not-fit']]);
    expect(leaderboard(rows, { sortBy: 'peak_gpu_bytes', descending: true, includeUnfinished: false }).map((r) => r.peak_gpu_bytes)).toEqual([30, 20, 10]);
    expect(leaderboard(rows, { filter: { methods: ['lora'] }, includeUnfinished: false }).map((r) => r.best_eval_loss)).toEqual([0.2, 0.3]);
    expect(leaderboard(rows, { filter: { text: 'FIT' } }).length).toBe(1);
  });

  it('the quad chart averages each model x method over its finished runs', () => {
    const cells = quadChart(rows);
    expect(cells.map((c) => [c.method, c.runs])).toEqual([['full', 1], ['lora', 2]]);
    expect(cells[1].meanEvalLoss).toBeCloseTo(0.25, 12);
    expect(cells[1]).toMatchObject({ meanSamplesPerSecond: 20, meanPeakGpuBytes: 15, meanTrainSeconds: 200 });
  });

  it('the report has every table and figure; the SVGs draw one bar per cell and one square per heatmap cell', () => {
    const files = reportFiles([...rows, row({ method: 'qlora', rank: 64, alpha: 128, best_eval_loss: 0.4 })]);
    expect(Object.keys(files).sort()).toEqual(['figure6-quad.csv', 'figure6-quad.svg', 'figure7-heatmap.csv', 'figure7-heatmap.svg', 'report.md', 'table3-leaderboard.csv']);
    expect(files['figure6-quad.svg'].match(/<rect x=/g)?.length).toBe(4 * 3);
    // LoRA and QLoRA grids over ranks {32, 64} x alphas {64, 128}: 2 x 4 squares.
    expect(files['figure7-heatmap.svg'].match(/<rect x=/g)?.length).toBe(8);
    expect(files['figure7-heatmap.csv'].split('\n')[1]).toBe('lora,32,64,0.25,2');
    expect(files['table3-leaderboard.csv'].split('\n')[1]).toBe('small,full,,,42,0.5,done,0.1,0.1,20,30,50,');
  });
});
