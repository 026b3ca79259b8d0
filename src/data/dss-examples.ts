// Rows -> the two Distilling Step-by-Step tasks, tokenized: "predict: <question>" -> label (Query DSL) and
// "explain: <question>" -> rationale, as the reference implementation (google-research/distilling-step-by-step)
// builds them. Inputs and targets are cut at max lengths (defaults 512/256) keeping the final </s>, and every cut is
// counted in a per-dataset report. The report also lists, per field, the characters the tokenizer cannot represent
// (T5 has no "{" or "}"); with repairTokenizer they become added tokens and the augmented tokenizer.json comes back
// to be saved with checkpoints and exports. dssBatches pads examples into the batch shape the CLI reads (BATCH.json).

import type { DssBatch, TaskBatch } from '../model/batch';
import { addCharacterTokens, characterTokens, withCharacterTokensInConfig, findUnrepresentable, type CharacterToken } from '../model/json-safe-tokenizer';
import { createTextTokenizer } from '../model/tokenizer';
import { parseJson } from './query-dsl/json-parse';
import type { SplitName } from './records';
import { seededRandom, shuffled } from '../common/random';
import { assignSplits, type SplitOptions } from './split';
import { IGNORE_INDEX, T5_PAD_ID, type TextTokenizer } from '../common/tokenizer-types';

export interface DssOptions {
  labelPrefix?: string;
  rationalePrefix?: string;
  maxInputLength?: number;
  maxTargetLength?: number;
  /** Rewrite labels that parse as compact JSON (no whitespace, key order kept) before tokenizing. Default true. */
  compactLabels?: boolean;
  /** Train/eval assignment: a precomputed map by row id, or split options (default seed 42, 0.8). */
  splits?: Map<string, SplitName> | SplitOptions;
  /** Add the unrepresentable characters as tokens and encode with the augmented tokenizer. Default: report only. */
  repairTokenizer?: TokenizerRepair;
}

export type DssField = 'question' | 'label' | 'rationale';

export interface TokenizerRepair {
  /** The tokenizer.json (text or parsed) that the `tokenizer` argument was made from. */
  tokenizerJson: string | object;
  /** tokenizer_config.json for the augmented tokenizer (special tokens); returned with the new tokens added. */
  tokenizerConfig?: Record<string, unknown>;
  /** config.json vocab_size: new token ids must stay below it (FLAN-T5: 32128, so 28 free rows). */
  vocabSize: number;
  /** Fields whose unrepresentable characters are added (default all three), most frequent first. */
  fields?: DssField[];
}

export interface CharCount {
  char: string;
  count: number;
}

export const DSS_DEFAULTS = { labelPrefix: 'predict: ', rationalePrefix: 'explain: ', maxInputLength: 512, maxTargetLength: 256 } as const;

export interface DssPair {
  inputIds: number[];
  labels: number[];
}

export interface DssExample {
  id: string;
  split: SplitName;
  label: DssPair;
  rationale: DssPair;
}

export interface DssReport {
  rows: number;
  maxInputLength: number;
  maxTargetLength: number;
  /** Rows whose "predict: " / "explain: " input was cut. */
  labelInputsTruncated: number;
  rationaleInputsTruncated: number;
  /** Rows whose label / rationale target was cut. */
  labelTargetsTruncated: number;
  rationaleTargetsTruncated: number;
  /** Longest lengths before cutting, in tokens (</s> included). */
  longestInput: number;
  longestLabel: number;
  longestRationale: number;
  /**
   * Characters the given tokenizer cannot represent (unk, or lost on decode), with occurrence counts, most frequent
   * first. Questions as written, labels as tokenized (compacted), rationales as written. Measured before any repair.
   */
  unrepresentable: Record<DssField, CharCount[]>;
  /** With repairTokenizer: every character token of the augmented tokenizer and its id (earlier ones included). */
  addedTokens?: CharacterToken[];
}

export interface DssResult {
  examples: DssExample[];
  report: DssReport;
  /** With repairTokenizer: the augmented files to save with checkpoints and exports. */
  repaired?: { tokenizerJson: string; tokenizerConfig?: Record<string, unknown> };
}

export interface DssRow {
  id: string;
  question: string;
  label: string;
  rationale: string;
}

/** Cuts to `max` tokens keeping the last one (T5's </s>), as HF truncation does with special tokens. */
export function truncateKeepingEos(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  if (max < 1) throw new Error(`max length must be >= 1, got ${max}`);
  return [...ids.slice(0, max - 1), ids[ids.length - 1]];
}

/** Compact JSON, unless the label does not parse or repeats a key (compacting would silently drop one of them). */
function compact(label: string): string {
  const parsed = parseJson(label);
  if (!parsed.ok || parsed.duplicateKeys.length > 0) return label;
  return JSON.stringify(JSON.parse(label));
}

const countList = (counts: Map<string, number>): CharCount[] => [...counts].map(([char, count]) => ({ char, count }));

export function buildDssExamples(rows: DssRow[], tokenizer: TextTokenizer & { unkId?: number }, options: DssOptions = {}): DssResult {
  const labelPrefix = options.labelPrefix ?? DSS_DEFAULTS.labelPrefix;
  const rationalePrefix = options.rationalePrefix ?? DSS_DEFAULTS.rationalePrefix;
  const maxIn = options.maxInputLength ?? DSS_DEFAULTS.maxInputLength;
  const maxOut = options.maxTargetLength ?? DSS_DEFAULTS.maxTargetLength;
  if (!(Number.isInteger(maxIn) && maxIn >= 1 && Number.isInteger(maxOut) && maxOut >= 1)) {
    throw new Error(`maxInputLength and maxTargetLength must be whole numbers >= 1, got ${maxIn} and ${maxOut}`);
  }
  const splits = options.splits instanceof Map ? options.splits : assignSplits(rows, options.splits);
  const labels = rows.map((row) => (options.compactLabels === false ? row.label : compact(row.label)));
  const found: Record<DssField, Map<string, number>> = {
    question: findUnrepresentable(tokenizer, rows.map((r) => r.question)),
    label: findUnrepresentable(tokenizer, labels),
    rationale: findUnrepresentable(tokenizer, rows.map((r) => r.rationale)),
  };
  const report: DssReport = {
    rows: rows.length, maxInputLength: maxIn, maxTargetLength: maxOut,
    labelInputsTruncated: 0, rationaleInputsTruncated: 0, labelTargetsTruncated: 0, rationaleTargetsTruncated: 0,
    longestInput: 0, longestLabel: 0, longestRationale: 0,
    unrepresentable: { question: countList(found.question), label: countList(found.label), rationale: countList(found.rationale) },
  };
  let encoder: TextTokenizer = tokenizer;
  let repaired: DssResult['repaired'];
  if (options.repairTokenizer) {
    const repair = options.repairTokenizer;
    const totals = new Map<string, number>();
    for (const field of repair.fields ?? (['question', 'label', 'rationale'] as const)) {
      for (const [ch, n] of found[field]) totals.set(ch, (totals.get(ch) ?? 0) + n);
    }
    const chars = [...totals].sort((a, b) => b[1] - a[1]).map(([ch]) => ch);
    const tokenizerJson = addCharacterTokens(repair.tokenizerJson, chars, { vocabSize: repair.vocabSize });
    encoder = createTextTokenizer(tokenizerJson, repair.tokenizerConfig);
    repaired = { tokenizerJson };
    if (repair.tokenizerConfig) repaired.tokenizerConfig = withCharacterTokensInConfig(repair.tokenizerConfig, tokenizerJson);
    report.addedTokens = characterTokens(tokenizerJson);
  }
  const examples = rows.map((row, i): DssExample => {
    const split = splits.get(row.id);
    if (!split) throw new Error(`row "${row.id}" has no train/eval split`);
    const labelIn = encoder.encode(labelPrefix + row.question);
    const rationaleIn = encoder.encode(rationalePrefix + row.question);
    const labelOut = encoder.encode(labels[i]);
    const rationaleOut = encoder.encode(row.rationale);
    report.longestInput = Math.max(report.longestInput, labelIn.length, rationaleIn.length);
    report.longestLabel = Math.max(report.longestLabel, labelOut.length);
    report.longestRationale = Math.max(report.longestRationale, rationaleOut.length);
    if (labelIn.length > maxIn) report.labelInputsTruncated++;
    if (rationaleIn.length > maxIn) report.rationaleInputsTruncated++;
    if (labelOut.length > maxOut) report.labelTargetsTruncated++;
    if (rationaleOut.length > maxOut) report.rationaleTargetsTruncated++;
    return {
      id: row.id,
      split,
      label: { inputIds: truncateKeepingEos(labelIn, maxIn), labels: truncateKeepingEos(labelOut, maxOut) },
      rationale: { inputIds: truncateKeepingEos(rationaleIn, maxIn), labels: truncateKeepingEos(rationaleOut, maxOut) },
    };
  });
  return repaired ? { examples, report, repaired } : { examples, report };
}

/** The batch shape the trainer and the CLI read (BATCH.json), with both tasks present. */
export type DssBatchPair = Required<DssBatch>;

export interface BatchOptions {
  /** Shuffle with `seed` before batching (default true). */
  shuffle?: boolean;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

function padTask(pairs: DssPair[]): TaskBatch {
  const inLen = Math.max(...pairs.map((p) => p.inputIds.length));
  const outLen = Math.max(...pairs.map((p) => p.labels.length));
  return {
    input_ids: pairs.map((p) => [...p.inputIds, ...Array<number>(inLen - p.inputIds.length).fill(T5_PAD_ID)]),
    attention_mask: pairs.map((p) => [...Array<number>(p.inputIds.length).fill(1), ...Array<number>(inLen - p.inputIds.length).fill(0)]),
    labels: pairs.map((p) => [...p.labels, ...Array<number>(outLen - p.labels.length).fill(IGNORE_INDEX)]),
  };
}

/** Padded batches: input ids with pad 0 and a 0/1 attention mask, labels with -100 (ignored by the loss). */
export function dssBatches(examples: DssExample[], batchSize: number, seed: number, options: BatchOptions = {}): DssBatchPair[] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a whole number >= 1, got ${batchSize}`);
  const order = options.shuffle === false ? examples : shuffled(examples, seededRandom(seed));
  const batches: DssBatchPair[] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const group = order.slice(i, i + batchSize);
    if (group.length < batchSize && options.dropLast) break;
    batches.push({ label: padTask(group.map((e) => e.label)), rationale: padTask(group.map((e) => e.rationale)) });
  }
  return batches;
}
