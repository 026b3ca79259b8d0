// BLEU as sacreBLEU computes it (sacrebleu/metrics/bleu.py): 13a tokenization, n-grams up to 4, clipped counts
// against one reference per segment, corpus statistics summed before the geometric mean, brevity penalty
// exp(1 - ref/sys) when the system is shorter, "exp" smoothing (mteval's: the k-th zero-match order gets
// precision 1 / (2^k * total)). Scores are 0..100 like sacreBLEU's.
import { tokenize13a } from './sacre-tokenize';

export const MAX_NGRAM_ORDER = 4;

/** Sufficient statistics of one segment or a whole corpus (summable). */
export interface BleuStats {
  sysLen: number;
  refLen: number;
  /** Matched n-grams per order (index 0 = unigrams). */
  correct: number[];
  /** Hypothesis n-grams per order. */
  total: number[];
}

export interface BleuScore extends BleuStats {
  score: number;
  /** Per-order precisions in percent, as sacreBLEU reports them. */
  precisions: number[];
  bp: number;
}

function ngramCounts(words: string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      // U+0001 cannot occur inside a 13a word (it is not whitespace, but no tokenizer output joins with it).
      const key = `${n}\u0001${words.slice(i, i + n).join('\u0001')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Statistics of one hypothesis against its references (untokenized text). With several references, an n-gram is
 * clipped at its largest count in any one of them and the reference length is the closest one (the shorter on ties).
 */
export function bleuStats(hypothesis: string, references: string | string[], maxOrder = MAX_NGRAM_ORDER): BleuStats {
  const hyp = tokenize13a(hypothesis.trimEnd());
  const refs = (typeof references === 'string' ? [references] : references).map((r) => tokenize13a(r.trimEnd()));
  if (refs.length === 0) throw new Error('bleuStats: no reference');
  const refCounts = new Map<string, number>();
  for (const ref of refs) for (const [k, c] of ngramCounts(ref, maxOrder)) refCounts.set(k, Math.max(c, refCounts.get(k) ?? 0));
  let refLen = refs[0].length;
  for (const ref of refs) {
    const d = Math.abs(ref.length - hyp.length);
    const best = Math.abs(refLen - hyp.length);
    if (d < best || (d === best && ref.length < refLen)) refLen = ref.length;
  }
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  for (const [key, count] of ngramCounts(hyp, maxOrder)) {
    const n = Number(key.slice(0, key.indexOf('\u0001'))) - 1;
    total[n] += count;
    correct[n] += Math.min(count, refCounts.get(key) ?? 0);
  }
  return { sysLen: hyp.length, refLen, correct, total };
}

export function sumBleuStats(stats: BleuStats[], maxOrder = MAX_NGRAM_ORDER): BleuStats {
  const out: BleuStats = { sysLen: 0, refLen: 0, correct: new Array<number>(maxOrder).fill(0), total: new Array<number>(maxOrder).fill(0) };
  for (const s of stats) {
    out.sysLen += s.sysLen;
    out.refLen += s.refLen;
    for (let n = 0; n < maxOrder; n++) {
      out.correct[n] += s.correct[n];
      out.total[n] += s.total[n];
    }
  }
  return out;
}

/** sacreBLEU's log that stands a huge negative number in for log(0), so a zero precision gives a score of ~0. */
const myLog = (x: number) => (x > 0 ? Math.log(x) : -9999999999);

/**
 * BLEU from statistics with "exp" smoothing (sacreBLEU's compute_bleu). effectiveOrder averages only the orders up
 * to the last one the hypothesis has n-grams of (sacreBLEU's sentence_bleu turns it on; corpus_bleu does not).
 */
export function bleuFromStats(stats: BleuStats, effectiveOrder = false): BleuScore {
  const { sysLen, refLen } = stats;
  const maxOrder = stats.correct.length;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  const base = { ...stats, correct: [...stats.correct], total: [...stats.total], precisions, bp };
  if (!stats.correct.some((c) => c > 0)) return { ...base, score: 0 };
  let smooth = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (stats.total[n - 1] === 0) break;
    if (effectiveOrder) effOrder = n;
    if (stats.correct[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * stats.total[n - 1]);
    } else {
      precisions[n - 1] = (100 * stats.correct[n - 1]) / stats.total[n - 1];
    }
  }
  let logSum = 0;
  for (let n = 0; n < effOrder; n++) logSum += myLog(precisions[n]);
  return { ...base, score: bp * Math.exp(logSum / effOrder) };
}

/**
 * Corpus BLEU (sacreBLEU corpus_bleu). references[i] is segment i's reference, or its references when there are
 * several (note: sacreBLEU's own argument is transposed, a list of reference streams).
 */
export function corpusBleu(hypotheses: string[], references: (string | string[])[]): BleuScore {
  if (hypotheses.length !== references.length) throw new Error(`corpusBleu: ${hypotheses.length} hypotheses but ${references.length} references`);
  return bleuFromStats(sumBleuStats(hypotheses.map((h, i) => bleuStats(h, references[i]))));
}

/** Sentence BLEU (sacreBLEU sentence_bleu: effective order on). */
export function sentenceBleu(hypothesis: string, reference: string | string[]): BleuScore {
  return bleuFromStats(bleuStats(hypothesis, reference), true);
}
