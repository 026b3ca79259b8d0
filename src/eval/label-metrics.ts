// What a user of a Query DSL student cares about, per sample and over an evaluation set: does the label parse as
// JSON, is it a valid search request (the project's validator, against the index schema when there is one), is it
// the reference query up to key order and number spelling, and how close is its text (BLEU, TER); and how close
// is the predicted rationale to the teacher's (BLEU).
import { analyzeQueryDsl, canonicalize, parseJson, type JsonValue, type QueryDslOptions } from '../data/query-dsl';
import type { IndexSchema, ValidationProblem } from '../data/records';
import { bleuFromStats, bleuStats, sumBleuStats, type BleuStats } from './bleu';
import { jsonDiff, type JsonDiffEntry } from './json-diff';
import type { TercomOptions } from './sacre-tokenize';
import { terFromStats, translationEditRate } from './ter';
import { tokenizeTercom } from './sacre-tokenize';

/**
 * TER of DSL text: sacreBLEU's tercom with normalisation on (punctuation split off, as BLEU's 13a does) and case
 * kept. sacreBLEU's default TER only splits on whitespace, which would make a compact JSON label one "word".
 */
export const DSL_TER_OPTIONS: TercomOptions = { normalized: true, caseSensitive: true };

export interface EvalSampleInput {
  id: string;
  question: string;
  /** The reference label (Query DSL JSON text). */
  label: string;
  prediction: string;
  /** Teacher's rationale; empty when the dataset has none. */
  rationale?: string;
  predictedRationale?: string;
}

export interface EvalSampleScore {
  id: string;
  parses: boolean;
  valid: boolean;
  exact: boolean;
  problems: ValidationProblem[];
  /** Structural difference reference -> prediction; null when either does not parse. */
  diff: JsonDiffEntry[] | null;
  labelBleu: number;
  labelTer: number;
  /** null without both rationales. */
  rationaleBleu: number | null;
  /** Summable statistics for the corpus scores. */
  stats: { label: BleuStats; ter: { edits: number; refLen: number }; rationale: BleuStats | null };
}

export interface EvalSummary {
  samples: number;
  /** Fractions 0..1. */
  exactMatch: number;
  jsonValidity: number;
  dslValidity: number;
  /** Corpus BLEU and TER (0..100) of the label text. */
  labelBleu: number;
  labelTer: number;
  /** Corpus BLEU of predicted vs teacher rationales over the samples that have both; null when none has. */
  rationaleBleu: number | null;
  rationaleSamples: number;
}

function parsed(text: string): JsonValue | undefined {
  const p = parseJson(text);
  return p.ok ? p.value : undefined;
}

/**
 * Scores of one sample. schema null checks structure only (no field names); validator.plugins names the plugins the
 * cluster has (their syntax is otherwise "needs plugin X").
 */
export function scoreSample(s: EvalSampleInput, schema: IndexSchema | null, validator?: QueryDslOptions): EvalSampleScore {
  const analysis = analyzeQueryDsl(s.prediction, schema, validator);
  const { parses, valid, problems } = analysis.validity;
  const ref = parsed(s.label);
  const pred = parses ? analysis.value : undefined;
  const bothParse = ref !== undefined && pred !== undefined;
  const exact = bothParse && canonicalize(ref) === canonicalize(pred);
  const label = bleuStats(s.prediction, s.label);
  const ter = translationEditRate(tokenizeTercom(s.prediction, DSL_TER_OPTIONS), tokenizeTercom(s.label, DSL_TER_OPTIONS));
  const hasRationale = !!s.rationale?.trim() && s.predictedRationale !== undefined;
  const rationale = hasRationale ? bleuStats(s.predictedRationale!, s.rationale!) : null;
  return {
    id: s.id,
    parses,
    valid,
    exact,
    problems,
    diff: bothParse ? jsonDiff(ref, pred) : null,
    labelBleu: bleuFromStats(label, true).score,
    labelTer: terFromStats(ter.edits, ter.refLen).score,
    rationaleBleu: rationale ? bleuFromStats(rationale, true).score : null,
    stats: { label, ter, rationale },
  };
}

/** Rates and corpus scores over scored samples (sentence scores are not averaged: BLEU/TER sum statistics). */
export function summarize(scores: EvalSampleScore[]): EvalSummary {
  const n = scores.length;
  const rate = (f: (s: EvalSampleScore) => boolean) => (n === 0 ? 0 : scores.filter(f).length / n);
  const withRationale = scores.filter((s) => s.stats.rationale !== null);
  const ter = scores.reduce((a, s) => ({ edits: a.edits + s.stats.ter.edits, refLen: a.refLen + s.stats.ter.refLen }), { edits: 0, refLen: 0 });
  return {
    samples: n,
    exactMatch: rate((s) => s.exact),
    jsonValidity: rate((s) => s.parses),
    dslValidity: rate((s) => s.valid),
    labelBleu: n === 0 ? 0 : bleuFromStats(sumBleuStats(scores.map((s) => s.stats.label))).score,
    labelTer: terFromStats(ter.edits, ter.refLen).score,
    rationaleBleu: withRationale.length === 0 ? null : bleuFromStats(sumBleuStats(withRationale.map((s) => s.stats.rationale!))).score,
    rationaleSamples: withRationale.length,
  };
}
