// Translation edit rate as sacreBLEU computes it (sacrebleu/metrics/ter.py and lib_ter.py, a re-implementation of
// tercom): the fewest word edits (insert, delete, substitute, or shift a run of up to 10 words) turning the
// hypothesis into the reference, divided by the reference's words. Shifts are chosen greedily, the best one at a
// time, until none lowers the edit distance, ranked as tercom ranks them; the edit distance is a Levenshtein
// distance computed in a beam of 25 around the length-scaled diagonal. Scores are 0..100 like sacreBLEU's.
import { tokenizeTercom, type TercomOptions } from './sacre-tokenize';

const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
const MAX_SHIFT_CANDIDATES = 1000;

type Op = ' ' | 's' | 'i' | 'd' | 'x';

/** Beam edit distance of a hypothesis to the fixed reference, with the trace of operations (hyp -> ref). */
function beamEditDistance(hyp: string[], ref: string[]): { distance: number; trace: Op[] } {
  const nh = hyp.length;
  const nr = ref.length;
  const cost: number[][] = [Array.from({ length: nr + 1 }, (_, j) => j)];
  const ops: Op[][] = [Array.from({ length: nr + 1 }, () => 'i' as Op)];
  const ratio = nh > 0 ? nr / nh : 1;
  const beam = BEAM_WIDTH < ratio / 2 ? Math.ceil(ratio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
  for (let i = 1; i <= nh; i++) {
    const c = new Array<number>(nr + 1).fill(Infinity);
    const o = new Array<Op>(nr + 1).fill('x');
    const diag = Math.floor(i * ratio);
    const minJ = Math.max(0, diag - beam);
    const maxJ = i === nh ? nr + 1 : Math.min(nr + 1, diag + beam);
    for (let j = minJ; j < maxJ; j++) {
      if (j === 0) {
        c[j] = cost[i - 1][j] + 1;
        o[j] = 'd';
        continue;
      }
      const same = hyp[i - 1] === ref[j - 1];
      // Ties prefer match/substitution, then deletion, then insertion (tercom's order, flipped: see _flip_trace).
      const candidates: [number, Op][] = [
        [cost[i - 1][j - 1] + (same ? 0 : 1), same ? ' ' : 's'],
        [cost[i - 1][j] + 1, 'd'],
        [c[j - 1] + 1, 'i'],
      ];
      for (const [v, op] of candidates) {
        if (c[j] > v) {
          c[j] = v;
          o[j] = op;
        }
      }
    }
    cost.push(c);
    ops.push(o);
  }
  const trace: Op[] = [];
  let i = nh;
  let j = nr;
  while (i > 0 || j > 0) {
    const op = ops[i][j];
    trace.push(op);
    if (op === ' ' || op === 's') {
      i--;
      j--;
    } else if (op === 'i') j--;
    else if (op === 'd') i--;
    else throw new Error(`TER: edit trace left the beam at (${i}, ${j})`);
  }
  trace.reverse();
  return { distance: cost[nh][nr], trace };
}

/** Alignment of reference positions to hypothesis positions, and which positions of each side are errors. */
function traceToAlignment(trace: Op[]): { align: Map<number, number>; refErr: number[]; hypErr: number[] } {
  let posHyp = -1;
  let posRef = -1;
  const align = new Map<number, number>();
  const refErr: number[] = [];
  const hypErr: number[] = [];
  for (const op of trace) {
    if (op === ' ' || op === 's') {
      posHyp++;
      posRef++;
      align.set(posRef, posHyp);
      const e = op === 's' ? 1 : 0;
      hypErr.push(e);
      refErr.push(e);
    } else if (op === 'i') {
      posHyp++;
      hypErr.push(1);
    } else if (op === 'd') {
      posRef++;
      align.set(posRef, posHyp);
      refErr.push(1);
    }
  }
  return { align, refErr, hypErr };
}

function performShift(words: string[], start: number, length: number, target: number): string[] {
  if (target < start) return [...words.slice(0, target), ...words.slice(start, start + length), ...words.slice(target, start), ...words.slice(start + length)];
  if (target > start + length) return [...words.slice(0, start), ...words.slice(start + length, target), ...words.slice(start, start + length), ...words.slice(target)];
  return [...words.slice(0, start), ...words.slice(start + length, length + target), ...words.slice(start, start + length), ...words.slice(length + target)];
}

/** Matching word runs (hyp start, ref start, length), as lib_ter's _find_shifted_pairs yields them. */
function* shiftedPairs(hyp: string[], ref: string[]): Generator<[number, number, number]> {
  for (let sh = 0; sh < hyp.length; sh++) {
    for (let sr = 0; sr < ref.length; sr++) {
      if (Math.abs(sr - sh) > MAX_SHIFT_DIST) continue;
      let length = 0;
      while (hyp[sh + length] === ref[sr + length] && length < MAX_SHIFT_SIZE) {
        length++;
        yield [sh, sr, length];
        if (hyp.length === sh + length || ref.length === sr + length) break;
      }
    }
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The shift that lowers the edit distance most (gain, words after it), or gain 0 when none helps. */
function bestShift(hyp: string[], ref: string[], checked: { n: number }): { gain: number; words: string[] } {
  const { distance: pre, trace: inverse } = beamEditDistance(hyp, ref);
  // Alignment as if rewriting the reference into the hypothesis: insertions and deletions swap.
  const trace = inverse.map((op): Op => (op === 'i' ? 'd' : op === 'd' ? 'i' : op));
  const { align, refErr, hypErr } = traceToAlignment(trace);
  // Tercom's ranking: larger gain, then longer run, then earlier hyp start, then earlier target.
  let best: { key: [number, number, number, number]; words: string[] } | null = null;
  const better = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] > b[k];
    return false;
  };
  for (const [sh, sr, length] of shiftedPairs(hyp, ref)) {
    if (sum(hypErr.slice(sh, sh + length)) === 0) continue;
    if (sum(refErr.slice(sr, sr + length)) === 0) continue;
    const at = align.get(sr);
    if (at !== undefined && sh <= at && at < sh + length) continue;
    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (sr + offset === -1) idx = 0;
      else if (align.has(sr + offset)) idx = align.get(sr + offset)! + 1;
      else break;
      if (idx === prevIdx) continue;
      prevIdx = idx;
      const shifted = performShift(hyp, sh, length, idx);
      const key: [number, number, number, number] = [pre - beamEditDistance(shifted, ref).distance, length, -sh, -idx];
      checked.n++;
      if (!best || better(key, best.key)) best = { key, words: shifted };
    }
    if (checked.n >= MAX_SHIFT_CANDIDATES) break;
  }
  return best ? { gain: best.key[0], words: best.words } : { gain: 0, words: hyp };
}

/** Edits (shifts included) turning hypothesis words into reference words, and the reference length. */
export function translationEditRate(hyp: string[], ref: string[]): { edits: number; refLen: number } {
  if (ref.length === 0) return { edits: hyp.length, refLen: 0 };
  const checked = { n: 0 };
  let words = hyp;
  let shifts = 0;
  for (;;) {
    const { gain, words: next } = bestShift(words, ref, checked);
    if (checked.n >= MAX_SHIFT_CANDIDATES || gain <= 0) break;
    shifts++;
    words = next;
  }
  return { edits: shifts + beamEditDistance(words, ref).distance, refLen: ref.length };
}

export interface TerScore {
  /** 100 * edits / reference words (100 when references are empty and the hypothesis is not). */
  score: number;
  edits: number;
  refLen: number;
}

export function terFromStats(edits: number, refLen: number): TerScore {
  const rate = refLen > 0 ? edits / refLen : edits > 0 ? 1 : 0;
  return { score: 100 * rate, edits, refLen };
}

/** Corpus TER (sacreBLEU corpus_ter, one reference per segment): summed edits over summed reference words. */
export function corpusTer(hypotheses: string[], references: string[], o: TercomOptions = {}): TerScore {
  if (hypotheses.length !== references.length) throw new Error(`corpusTer: ${hypotheses.length} hypotheses but ${references.length} references`);
  let edits = 0;
  let refLen = 0;
  hypotheses.forEach((h, i) => {
    const r = translationEditRate(tokenizeTercom(h, o), tokenizeTercom(references[i], o));
    edits += r.edits;
    refLen += r.refLen;
  });
  return terFromStats(edits, refLen);
}

export function sentenceTer(hypothesis: string, reference: string, o: TercomOptions = {}): TerScore {
  return corpusTer([hypothesis], [reference], o);
}
