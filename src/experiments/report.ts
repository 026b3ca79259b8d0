// A report's files from results rows: Table 3 (leaderboard), Table 4 (ablation), Figure 6 (quad chart) and Figure 7
// (heatmap) as CSV and SVG, plus a short Markdown summary. Pure: the CLI writes them to disk, the studio offers them
// as downloads.
import { heatmapSvg, quadChartSvg } from './svg';
import { RESULT_COLUMNS, toCsv, type ResultRow } from './results';
import { ablationTable, heatmaps, leaderboard, quadChart, type AblationLine } from './tables';

const ABLATION_COLUMNS = ['model', 'method', 'rank', 'alpha', 'seed', 'eval_loss_a0.5', 'eval_loss_a1.0', 'difference', 'exact_match_a0.5', 'exact_match_a1.0', 'exact_match_difference'] as const;

/** Table 4 as flat rows: one per seed, then one 'mean' and one 'sd' row per model x method. */
export function ablationRows(lines: readonly AblationLine[]): Record<(typeof ABLATION_COLUMNS)[number], string | number | null>[] {
  const out: Record<(typeof ABLATION_COLUMNS)[number], string | number | null>[] = [];
  for (const l of lines) {
    const head = { model: l.model, method: l.method, rank: l.rank, alpha: l.alpha };
    for (const s of l.seeds) {
      out.push({ ...head, seed: s.seed, 'eval_loss_a0.5': s.lossDss, 'eval_loss_a1.0': s.lossLabelOnly, difference: s.difference, 'exact_match_a0.5': s.exactDss, 'exact_match_a1.0': s.exactLabelOnly, exact_match_difference: s.exactDifference });
    }
    out.push({ ...head, seed: 'mean', 'eval_loss_a0.5': l.meanDss, 'eval_loss_a1.0': l.meanLabelOnly, difference: l.meanDifference, 'exact_match_a0.5': null, 'exact_match_a1.0': null, exact_match_difference: l.meanExactDifference });
    out.push({ ...head, seed: 'sd', 'eval_loss_a0.5': null, 'eval_loss_a1.0': null, difference: l.spreadDifference, 'exact_match_a0.5': null, 'exact_match_a1.0': null, exact_match_difference: l.spreadExactDifference });
  }
  return out;
}

const fmt = (v: number | null, digits = 5) => (v === null ? 'n/a' : v.toFixed(digits));

/** Every report file by name (CSV, SVG, Markdown). */
export function reportFiles(rows: readonly ResultRow[]): Record<string, string> {
  const board = leaderboard(rows);
  const ablation = ablationTable(rows);
  const quad = quadChart(rows);
  const maps = heatmaps(rows);
  const files: Record<string, string> = {
    'table3-leaderboard.csv': toCsv(board, RESULT_COLUMNS),
    'figure6-quad.csv': toCsv(quad, ['model', 'method', 'runs', 'meanEvalLoss', 'meanSamplesPerSecond', 'meanPeakGpuBytes', 'meanTrainSeconds']),
    'figure6-quad.svg': quadChartSvg(quad),
    'figure7-heatmap.csv': toCsv(maps.flatMap((m) => m.ranks.flatMap((rank, i) => m.alphas.map((alpha, j) => ({ method: m.method, rank, alpha, mean_eval_loss: m.cells[i][j], runs: m.counts[i][j] })))), ['method', 'rank', 'alpha', 'mean_eval_loss', 'runs']),
    'figure7-heatmap.svg': heatmapSvg(maps),
  };
  if (ablation.some((l) => l.seeds.some((s) => s.lossDss !== null || s.lossLabelOnly !== null)) && rows.some((r) => r.a !== 0.5)) {
    files['table4-ablation.csv'] = toCsv(ablationRows(ablation), ABLATION_COLUMNS);
  }
  const md = [`# Sweep report`, '', `${rows.length} configurations: ${['done', 'does-not-fit', 'oom', 'failed', 'cancelled'].map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ')}.`, '', '## Table 3: leaderboard (best eval loss)', '',
    '| # | model | method | rank | alpha | seed | a | best eval loss | samples/s | peak GPU bytes | train s | exact match |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  board.filter((r) => r.status === 'done').slice(0, 20).forEach((r, i) => md.push(`| ${i + 1} | ${r.model} | ${r.method} | ${r.rank ?? ''} | ${r.alpha ?? ''} | ${r.seed} | ${r.a} | ${fmt(r.best_eval_loss)} | ${fmt(r.samples_per_s, 2)} | ${r.peak_gpu_bytes ?? 'n/a'} | ${fmt(r.train_seconds, 1)} | ${fmt(r.exact_match, 3)} |`));
  if (files['table4-ablation.csv']) {
    md.push('', '## Table 4: a = 0.5 (DSS) vs a = 1.0 (label only)', '', '| model | method | eval loss a=0.5 | eval loss a=1.0 | difference (mean ± sd) | DSS wins | exact-match difference |', '|---|---|---|---|---|---|---|');
    for (const l of ablation) md.push(`| ${l.model} | ${l.method} | ${fmt(l.meanDss)} | ${fmt(l.meanLabelOnly)} | ${fmt(l.meanDifference)} ± ${fmt(l.spreadDifference)} | ${l.dssWins}/${l.pairs} | ${fmt(l.meanExactDifference, 3)} |`);
  }
  md.push('', 'Figures: figure6-quad.svg (Figure 6), figure7-heatmap.svg (Figure 7); CSV beside each.', '');
  files['report.md'] = md.join('\n');
  return files;
}
