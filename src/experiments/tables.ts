// The paper's tables and figures from results rows: the leaderboard (Table 3), the a = 0.5 vs a = 1.0 ablation
// (Table 4), the quad chart's per model x method means (Figure 6) and the rank x alpha heatmap (Figure 7).
// Only rows with status 'done' and a finite best eval loss count toward losses.
import type { TuneMethod } from '../settings/run-config';
import type { ResultRow } from './results';

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
/** Sample standard deviation (n - 1); 0 for one value, null for none. */
export function spread(xs: number[]): number | null {
  if (xs.length === 0) return null;
  if (xs.length === 1) return 0;
  const m = mean(xs) as number;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

export const isMeasured = (r: ResultRow) => r.status === 'done' && finite(r.best_eval_loss);

// ------------------------------------------------------------------------------------------------ Table 3

export type LeaderboardKey = 'best_eval_loss' | 'peak_gpu_bytes' | 'train_seconds' | 'samples_per_s' | 'exact_match' | 'model' | 'method' | 'rank' | 'alpha';

export interface LeaderboardOptions {
  sortBy?: LeaderboardKey;
  descending?: boolean;
  /** Keep rows whose model, method or status contains this text, and methods from this list. */
  filter?: { text?: string; methods?: TuneMethod[]; models?: string[] };
  /** Rows that did not finish are listed after the measured ones (default) or left out. */
  includeUnfinished?: boolean;
}

/** Table 3: measured rows by best eval loss (or another key), nulls last, then the ones that did not finish. */
export function leaderboard(rows: readonly ResultRow[], options: LeaderboardOptions = {}): ResultRow[] {
  const key = options.sortBy ?? 'best_eval_loss';
  const dir = options.descending ? -1 : 1;
  const f = options.filter ?? {};
  const text = f.text?.trim().toLowerCase();
  const kept = rows.filter((r) => (!f.methods || f.methods.includes(r.method)) && (!f.models || f.models.includes(r.model))
    && (!text || `${r.model} ${r.method} ${r.status}`.toLowerCase().includes(text)));
  const measured = kept.filter(isMeasured);
  const rest = kept.filter((r) => !isMeasured(r));
  const compare = (a: ResultRow, b: ResultRow) => {
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number)) * dir;
  };
  return [...measured.sort(compare), ...(options.includeUnfinished === false ? [] : rest)];
}

// ------------------------------------------------------------------------------------------------ Table 4

export interface AblationSeed {
  seed: number;
  /** Best eval loss at each a (null when that run is missing or did not finish). */
  lossDss: number | null;
  lossLabelOnly: number | null;
  /** lossLabelOnly - lossDss: positive when Distilling Step-by-Step wins. */
  difference: number | null;
  exactDss: number | null;
  exactLabelOnly: number | null;
  /** exactDss - exactLabelOnly: positive when DSS wins. */
  exactDifference: number | null;
}

export interface AblationLine {
  model: string;
  method: TuneMethod;
  rank: number | null;
  alpha: number | null;
  seeds: AblationSeed[];
  /** Means and spreads (sample sd) over the seeds that have both runs. */
  meanDss: number | null;
  meanLabelOnly: number | null;
  meanDifference: number | null;
  spreadDifference: number | null;
  meanExactDifference: number | null;
  spreadExactDifference: number | null;
  /** Seeds where DSS had the lower loss, of those with both runs. */
  dssWins: number;
  pairs: number;
}

/** Table 4 from ablation rows: per model x method (x rank, alpha), each seed's pair, means and spreads. */
export function ablationTable(rows: readonly ResultRow[], dssA = 0.5, labelOnlyA = 1.0): AblationLine[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.a !== dssA && r.a !== labelOnlyA) continue;
    const key = JSON.stringify([r.model, r.method, r.rank, r.alpha]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: AblationLine[] = [];
  for (const group of groups.values()) {
    const seeds = [...new Set(group.map((r) => r.seed))].sort((a, b) => a - b);
    const lossOf = (seed: number, a: number) => {
      const r = group.find((x) => x.seed === seed && x.a === a);
      return r && isMeasured(r) ? (r.best_eval_loss as number) : null;
    };
    const exactOf = (seed: number, a: number) => {
      const r = group.find((x) => x.seed === seed && x.a === a);
      return r && r.status === 'done' && finite(r.exact_match) ? r.exact_match : null;
    };
    const perSeed: AblationSeed[] = seeds.map((seed) => {
      const lossDss = lossOf(seed, dssA);
      const lossLabelOnly = lossOf(seed, labelOnlyA);
      const exactDss = exactOf(seed, dssA);
      const exactLabelOnly = exactOf(seed, labelOnlyA);
      return {
        seed, lossDss, lossLabelOnly, difference: lossDss !== null && lossLabelOnly !== null ? lossLabelOnly - lossDss : null,
        exactDss, exactLabelOnly, exactDifference: exactDss !== null && exactLabelOnly !== null ? exactDss - exactLabelOnly : null,
      };
    });
    const paired = perSeed.filter((s) => s.difference !== null);
    const diffs = paired.map((s) => s.difference as number);
    const exactDiffs = perSeed.map((s) => s.exactDifference).filter(finite);
    const first = group[0];
    out.push({
      model: first.model, method: first.method, rank: first.rank, alpha: first.alpha, seeds: perSeed,
      meanDss: mean(paired.map((s) => s.lossDss as number)), meanLabelOnly: mean(paired.map((s) => s.lossLabelOnly as number)),
      meanDifference: mean(diffs), spreadDifference: spread(diffs),
      meanExactDifference: mean(exactDiffs), spreadExactDifference: spread(exactDiffs),
      dssWins: diffs.filter((d) => d > 0).length, pairs: paired.length,
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ Figure 6

export interface QuadCell {
  model: string;
  method: TuneMethod;
  runs: number;
  meanEvalLoss: number | null;
  meanSamplesPerSecond: number | null;
  meanPeakGpuBytes: number | null;
  meanTrainSeconds: number | null;
}

/** Figure 6: per model x method, the means over its finished runs of eval loss, samples/s, GPU memory, train time. */
export function quadChart(rows: readonly ResultRow[]): QuadCell[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows.filter(isMeasured)) {
    const key = JSON.stringify([r.model, r.method]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const order: TuneMethod[] = ['full', 'lora', 'qlora'];
  return [...groups.values()].map((g) => ({
    model: g[0].model,
    method: g[0].method,
    runs: g.length,
    meanEvalLoss: mean(g.map((r) => r.best_eval_loss as number)),
    meanSamplesPerSecond: mean(g.map((r) => r.samples_per_s).filter(finite)),
    meanPeakGpuBytes: mean(g.map((r) => r.peak_gpu_bytes).filter(finite)),
    meanTrainSeconds: mean(g.map((r) => r.train_seconds).filter(finite)),
  })).sort((a, b) => a.model.localeCompare(b.model) || order.indexOf(a.method) - order.indexOf(b.method));
}

// ------------------------------------------------------------------------------------------------ Figure 7

export interface Heatmap {
  method: 'lora' | 'qlora';
  ranks: number[];
  alphas: number[];
  /** cells[i][j]: mean best eval loss at ranks[i], alphas[j] over models and seeds; null where nothing ran. */
  cells: (number | null)[][];
  /** How many runs each cell averages. */
  counts: number[][];
}

/** Figure 7: mean eval loss over rank x alpha, one grid per adapter method (LoRA and QLoRA side by side). */
export function heatmaps(rows: readonly ResultRow[], models?: string[]): Heatmap[] {
  const measured = rows.filter((r) => isMeasured(r) && r.rank !== null && r.alpha !== null && (!models || models.includes(r.model)));
  const ranks = [...new Set(measured.map((r) => r.rank as number))].sort((a, b) => a - b);
  const alphas = [...new Set(measured.map((r) => r.alpha as number))].sort((a, b) => a - b);
  return (['lora', 'qlora'] as const).map((method) => {
    const mine = measured.filter((r) => r.method === method);
    const cells = ranks.map((rank) => alphas.map((alpha) => mean(mine.filter((r) => r.rank === rank && r.alpha === alpha).map((r) => r.best_eval_loss as number))));
    const counts = ranks.map((rank) => alphas.map((alpha) => mine.filter((r) => r.rank === rank && r.alpha === alpha).length));
    return { method, ranks, alphas, cells, counts };
  });
}
