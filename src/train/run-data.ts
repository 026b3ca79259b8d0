// A run's rows -> tokenized DSS examples in the dataset's seeded split, counted before the start (nothing is dropped
// silently), and the data order: each epoch's train order is a seeded shuffle regenerated from (seed, epoch), so a
// checkpoint only needs the epoch and the position in it. Batches are padded per batch.
import { hashString, seededRandom, shuffled } from '../common/random';
import { IGNORE_INDEX, T5_PAD_ID } from '../common/tokenizer-types';
import { buildDssExamples, type DssExample, type DssPair } from '../data/dss-examples';
import { analyzeQueryDsl } from '../data/query-dsl';
import { assignSplits } from '../data/split';
import type { RunDataReport, TrainingRow } from '../engine/run-api';
import type { DssBatch, TaskBatch } from '../model/batch';
import { characterTokens } from '../model/json-safe-tokenizer';
import type { T5Tokenizer } from '../model/tokenizer';
import type { RunConfig } from '../settings/run-config';

export interface TokenizerFiles {
  tokenizerJson: string;
  tokenizerConfig?: Record<string, unknown>;
  /** config.json vocab_size: room for added characters. */
  vocabSize: number;
}

export interface PreparedData {
  train: DssExample[];
  eval: DssExample[];
  report: RunDataReport;
  /** The tokenizer the run trains with: augmented when characters were added (saved with every checkpoint). */
  tokenizer: { tokenizerJson: string; tokenizerConfig?: Record<string, unknown> };
  /** Ids of the characters added to the tokenizer (their embedding rows start untrained). */
  addedTokenIds: number[];
  /** Longest input and target over both splits and both tasks: the runner's capacity. */
  longestInput: number;
  longestTarget: number;
}

/** Rows a run cannot use, with why (reported, never silently dropped). */
function screen(rows: TrainingRow[]): { kept: TrainingRow[]; skipped: RunDataReport['skipped'] } {
  const skipped: RunDataReport['skipped'] = [];
  const seen = new Set<string>();
  const kept: TrainingRow[] = [];
  for (const row of rows) {
    const id = String(row?.id ?? '');
    if (!id) skipped.push({ rowId: '(no id)', reason: 'no id' });
    else if (seen.has(id)) skipped.push({ rowId: id, reason: 'duplicate id' });
    else if (typeof row.question !== 'string' || !row.question.trim()) skipped.push({ rowId: id, reason: 'no question' });
    else if (typeof row.label !== 'string' || !row.label.trim()) skipped.push({ rowId: id, reason: 'no label' });
    else {
      seen.add(id);
      kept.push({ ...row, rationale: typeof row.rationale === 'string' ? row.rationale : '' });
    }
  }
  return { kept, skipped };
}

/** The run's train/eval split of the rows it keeps (the same seeded split prepareRunData trains on). */
function splitOf(kept: readonly TrainingRow[], config: Pick<RunConfig, 'seed' | 'evalFraction'>) {
  return assignSplits(kept, { seed: config.seed, trainFraction: 1 - config.evalFraction });
}

/** The rows a run with these settings holds out for evaluation, without tokenizing anything. */
export function runEvalRows(rows: TrainingRow[], config: Pick<RunConfig, 'seed' | 'evalFraction'>): TrainingRow[] {
  const { kept } = screen(rows);
  const splits = splitOf(kept, config);
  return kept.filter((row) => splits.get(row.id) === 'eval');
}

export function prepareRunData(rows: TrainingRow[], tokenizer: T5Tokenizer, files: TokenizerFiles, config: RunConfig): PreparedData {
  const { kept, skipped } = screen(rows);
  if (kept.length === 0) throw new Error(`no usable rows: ${rows.length} given, ${skipped.length} skipped (${[...new Set(skipped.map((s) => s.reason))].join(', ') || 'none given'})`);
  const splits = splitOf(kept, config);
  const built = buildDssExamples(kept, tokenizer, {
    maxInputLength: config.maxInputLength,
    maxTargetLength: config.maxTargetLength,
    splits,
    repairTokenizer: { tokenizerJson: files.tokenizerJson, tokenizerConfig: files.tokenizerConfig, vocabSize: files.vocabSize },
  });
  const r = built.report;
  const hasRationale = new Set(kept.filter((row) => row.rationale.trim()).map((row) => row.id));
  // A row without a rationale teaches nothing to the rationale task (its target would be a bare </s>).
  const examples = built.examples.map((e) => (hasRationale.has(e.id) ? e : { ...e, rationale: { inputIds: e.rationale.inputIds, labels: [] } }));
  const train = examples.filter((e) => e.split === 'train');
  const evalSet = examples.filter((e) => e.split === 'eval');
  if (train.length === 0) throw new Error(`the split (seed ${config.seed}, eval fraction ${config.evalFraction}) leaves no training rows out of ${kept.length}`);
  // Character tokens this run added (earlier ones, e.g. from a resumed export, are already trained rows).
  const before = new Set(characterTokens(files.tokenizerJson).map((t) => t.id));
  const added = (r.addedTokens ?? []).filter((t) => !before.has(t.id));
  const report: RunDataReport = {
    rowsGiven: rows.length,
    trainRows: train.length,
    evalRows: evalSet.length,
    skipped,
    invalidLabels: kept.filter((row) => !analyzeQueryDsl(row.label, null).validity.valid).length,
    labelInputsTruncated: r.labelInputsTruncated,
    rationaleInputsTruncated: hasRationale.size ? r.rationaleInputsTruncated : 0,
    labelTargetsTruncated: r.labelTargetsTruncated,
    rationaleTargetsTruncated: r.rationaleTargetsTruncated,
    addedCharacters: added.map((t) => t.char),
    labelOnly: hasRationale.size === 0,
  };
  const pairs = examples.flatMap((e) => [e.label, e.rationale]);
  return {
    train, eval: evalSet, report,
    tokenizer: built.repaired ?? { tokenizerJson: files.tokenizerJson, tokenizerConfig: files.tokenizerConfig },
    addedTokenIds: added.map((t) => t.id),
    longestInput: Math.max(...pairs.map((p) => p.inputIds.length)),
    longestTarget: Math.max(1, ...pairs.map((p) => p.labels.length)),
  };
}

/** The mix a run trains with: a as set, or 1 (label only) when no row has a rationale. */
export function effectiveMix(config: RunConfig, report: RunDataReport): number {
  return report.labelOnly ? 1 : config.a;
}

/** Train example indices of an epoch, in the order they are seen. */
export function epochOrder(count: number, seed: number, epoch: number, shuffle: boolean): number[] {
  const ids = Array.from({ length: count }, (_, i) => i);
  return shuffle ? shuffled(ids, seededRandom(hashString(`epoch ${epoch}`, seed))) : ids;
}

/** Micro-batches per epoch and optimizer steps per epoch (a last short step takes the remainder, as HF does). */
export function stepsPerEpoch(trainCount: number, config: Pick<RunConfig, 'batchSize' | 'gradAccum'>): { micro: number; steps: number } {
  const micro = Math.ceil(trainCount / config.batchSize);
  return { micro, steps: Math.ceil(micro / config.gradAccum) };
}

function pad(pairs: DssPair[]): TaskBatch {
  const inLen = Math.max(...pairs.map((p) => p.inputIds.length));
  const outLen = Math.max(1, ...pairs.map((p) => p.labels.length));
  return {
    input_ids: pairs.map((p) => [...p.inputIds, ...Array<number>(inLen - p.inputIds.length).fill(T5_PAD_ID)]),
    attention_mask: pairs.map((p) => [...Array<number>(p.inputIds.length).fill(1), ...Array<number>(inLen - p.inputIds.length).fill(0)]),
    labels: pairs.map((p) => [...p.labels, ...Array<number>(outLen - p.labels.length).fill(IGNORE_INDEX)]),
  };
}

/** One padded batch; the rationale task is left out when no example in it has a rationale target. */
export function padBatch(examples: DssExample[]): DssBatch {
  const label = pad(examples.map((e) => e.label));
  if (examples.every((e) => e.rationale.labels.length === 0)) return { label };
  return { label, rationale: pad(examples.map((e) => e.rationale)) };
}

/** Consecutive slices of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
