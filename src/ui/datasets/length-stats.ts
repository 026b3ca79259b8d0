// Length distributions for the inspector's histograms. Until a real tokenizer is loaded we estimate tokens from
// characters (about 4 characters per SentencePiece token for English prose; JSON runs denser), and the UI says so.

export interface LengthMeasure {
  /** Shown on the chart, e.g. "estimated tokens (characters / 4)". */
  unit: string;
  exact: boolean;
  measure: (text: string) => number;
}

export const ESTIMATED_TOKENS: LengthMeasure = {
  unit: 'estimated tokens (characters ÷ 4, not the T5 tokenizer)',
  exact: false,
  measure: (text) => Math.ceil(text.length / 4),
};

export interface HistogramBin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge. */
  to: number;
  label: string;
  count: number;
}

export interface LengthSummary {
  bins: HistogramBin[];
  min: number;
  max: number;
  mean: number;
  p95: number;
  /** How many values exceed `limit` (e.g. the 512/256 token limits DSS examples truncate at). */
  overLimit: number;
}

/** A bin width of 1, 2 or 5 x 10^k giving at most `maxBins` bins. */
export function niceBinWidth(max: number, maxBins: number): number {
  const raw = Math.max(1, max / maxBins);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function summarizeLengths(values: number[], limit = Infinity, maxBins = 20): LengthSummary {
  if (values.length === 0) return { bins: [], min: 0, max: 0, mean: 0, p95: 0, overLimit: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1];
  const width = niceBinWidth(max + 1, maxBins);
  const nBins = Math.floor(max / width) + 1;
  const bins: HistogramBin[] = Array.from({ length: nBins }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    label: width === 1 ? `${i}` : `${i * width}–${(i + 1) * width - 1}`,
    count: 0,
  }));
  let sum = 0;
  let overLimit = 0;
  for (const v of values) {
    bins[Math.floor(v / width)].count++;
    sum += v;
    if (v > limit) overLimit++;
  }
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
  return { bins, min: sorted[0], max, mean: sum / values.length, p95, overLimit };
}
