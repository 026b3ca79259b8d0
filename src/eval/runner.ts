// Evaluation by generation: for each row, generate the label from "predict: <question>" and (optionally) the
// rationale from "explain: <question>", then score everything (label-metrics.ts). Works on anything that turns
// input texts into token ids (the engine wraps a loaded model's KV-cached generator), so it runs the same in the
// worker, the CLI and tests. Progress is reported per batch and per generated token step; an AbortSignal stops it
// between steps.
import { DSS_DEFAULTS } from '../data/dss-examples';
import type { IndexSchema } from '../data/records';
import type { DecodeHooks } from '../model/generate';
import type { T5Tokenizer } from '../model/tokenizer';
import { ConstrainedRows, jsonConstraintFor } from './json-constraint';
import { scoreSample, summarize, type EvalSampleInput, type EvalSampleScore, type EvalSummary } from './label-metrics';

/** Turns input texts into generated token ids (no decoder start token; eos included when emitted). */
export interface SequenceGenerator {
  readonly tokenizer: T5Tokenizer;
  /** Rows of the model's embedding (config.vocab_size): the logits' width. */
  readonly vocabRows: number;
  generateIds(inputs: string[], o: { maxNewTokens: number; numBeams: number; hooks?: DecodeHooks }): Promise<number[][]>;
}

/** One row to evaluate (TrainingRow's fields). */
export interface EvalRow {
  id: string;
  question: string;
  label: string;
  rationale?: string;
}

export interface EvalOptions {
  /** Default 256 (DSS max target length). */
  maxNewTokens?: number;
  /** Default: maxNewTokens. */
  rationaleMaxNewTokens?: number;
  /** 1 = greedy (default). */
  numBeams?: number;
  /** Rows per generate call; default 8. */
  batchSize?: number;
  /** JSON-constrained decoding of labels (json-constraint.ts); default false. */
  constrained?: boolean;
  /** Generate rationales too (default true; skipped for rows without a teacher rationale). */
  rationales?: boolean;
  /** The dataset's index schema, for field checks; null checks structure only. */
  schema?: IndexSchema | null;
  /** Plugins the cluster has, for the Query DSL validator (knn, neural-search, ...). */
  plugins?: string[];
  labelPrefix?: string;
  rationalePrefix?: string;
}

export interface EvalProgress {
  phase: 'label' | 'rationale';
  /** Rows finished in this phase, and the phase's rows. */
  done: number;
  total: number;
  /** Tokens generated so far (all phases). */
  tokens: number;
  elapsedMs: number;
}

export interface EvalSample extends EvalSampleScore {
  question: string;
  label: string;
  prediction: string;
  rationale: string;
  predictedRationale: string | null;
  /** Generation stopped at maxNewTokens without </s>. */
  labelCutOff: boolean;
}

export interface EvalReport {
  summary: EvalSummary;
  samples: EvalSample[];
  options: Required<Omit<EvalOptions, 'schema'>> & { schema: string | null };
  /** Labels cut off at maxNewTokens (with the constraint on, these are the only ones that can fail to parse). */
  labelsCutOff: number;
  labelTokens: number;
  rationaleTokens: number;
  /** Wall time of each phase and of the constraint's masking within it, ms. */
  labelMillis: number;
  rationaleMillis: number;
  constraintMillis: number;
}

/** Progress inside a batch is reported at most this often. */
const PROGRESS_MS = 250;

export class EvaluationCancelled extends Error {
  constructor() {
    super('evaluation cancelled');
    this.name = 'EvaluationCancelled';
  }
}

export function evalDefaults(o: EvalOptions): EvalReport['options'] {
  return {
    maxNewTokens: o.maxNewTokens ?? DSS_DEFAULTS.maxTargetLength,
    rationaleMaxNewTokens: o.rationaleMaxNewTokens ?? o.maxNewTokens ?? DSS_DEFAULTS.maxTargetLength,
    numBeams: o.numBeams ?? 1,
    batchSize: o.batchSize ?? 8,
    constrained: o.constrained ?? false,
    rationales: o.rationales ?? true,
    schema: o.schema?.index ?? null,
    plugins: o.plugins ?? [],
    labelPrefix: o.labelPrefix ?? DSS_DEFAULTS.labelPrefix,
    rationalePrefix: o.rationalePrefix ?? DSS_DEFAULTS.rationalePrefix,
  };
}

function checkRows(rows: EvalRow[]): void {
  rows.forEach((r, i) => {
    for (const field of ['id', 'question', 'label'] as const) {
      if (typeof r[field] !== 'string') throw new Error(`evaluation row ${i}${typeof r.id === 'string' ? ` (${r.id})` : ''}: "${field}" must be a string`);
    }
    if (!r.question.trim()) throw new Error(`evaluation row ${i} (${r.id}): "question" is empty`);
  });
}

export async function runEvaluation(
  gen: SequenceGenerator,
  rows: EvalRow[],
  options: EvalOptions = {},
  control: { onProgress?: (p: EvalProgress) => void; signal?: AbortSignal } = {},
): Promise<EvalReport> {
  checkRows(rows);
  const o = evalDefaults(options);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new Error(`batchSize must be a whole number >= 1 (got ${o.batchSize})`);
  const { signal, onProgress } = control;
  const started = performance.now();
  const tok = gen.tokenizer;
  const constraint = o.constrained ? jsonConstraintFor(tok, gen.vocabRows) : null;
  let tokens = 0;
  let constraintMillis = 0;
  const report = (phase: EvalProgress['phase'], done: number, total: number) => {
    try {
      onProgress?.({ phase, done, total, tokens, elapsedMs: performance.now() - started });
    } catch {
      // progress is advisory: a failing listener must not stop the evaluation
    }
  };
  const throwIfCancelled = () => {
    if (signal?.aborted) throw new EvaluationCancelled();
  };

  /** Generated ids per input of one phase, batch by batch. */
  const generateAll = async (phase: EvalProgress['phase'], inputs: string[], maxNewTokens: number, constrained: boolean): Promise<number[][]> => {
    const out: number[][] = [];
    report(phase, 0, inputs.length);
    for (let i = 0; i < inputs.length; i += o.batchSize) {
      throwIfCancelled();
      const batch = inputs.slice(i, i + o.batchSize);
      const rowsOf = constrained && constraint ? new ConstrainedRows(constraint, batch.length * o.numBeams, maxNewTokens) : null;
      let lastReport = performance.now();
      const hooks: DecodeHooks = {
        processLogits: rowsOf ? (logits, V, t) => rowsOf.processLogits(logits, V, t) : undefined,
        onStep: (stepTokens, from) => {
          rowsOf?.onStep(stepTokens, from);
          // Rows still writing (beam rows count as a share of their input).
          tokens += stepTokens.filter((t) => t !== tok.padId).length / o.numBeams;
          throwIfCancelled();
          if (performance.now() - lastReport > PROGRESS_MS) {
            lastReport = performance.now();
            report(phase, i, inputs.length);
          }
        },
      };
      out.push(...(await gen.generateIds(batch, { maxNewTokens, numBeams: o.numBeams, hooks })));
      if (rowsOf) constraintMillis += rowsOf.millis;
      report(phase, Math.min(i + o.batchSize, inputs.length), inputs.length);
    }
    return out;
  };

  const t0 = performance.now();
  const labelIds = await generateAll('label', rows.map((r) => o.labelPrefix + r.question), o.maxNewTokens, o.constrained);
  const labelTokens = tokens;
  const labelMillis = performance.now() - t0;
  const withRationale = o.rationales ? rows.map((r, i) => [r, i] as const).filter(([r]) => !!r.rationale?.trim()) : [];
  const t1 = performance.now();
  const rationaleIds = await generateAll('rationale', withRationale.map(([r]) => o.rationalePrefix + r.question), o.rationaleMaxNewTokens, false);
  const rationaleMillis = performance.now() - t1;
  const predictedRationales = new Map<number, string>(withRationale.map(([, i], k) => [i, tok.decode(rationaleIds[k])]));

  const samples: EvalSample[] = rows.map((r, i) => {
    const prediction = tok.decode(labelIds[i]);
    const input: EvalSampleInput = { id: r.id, question: r.question, label: r.label, prediction, rationale: r.rationale, predictedRationale: predictedRationales.get(i) };
    return {
      ...scoreSample(input, options.schema ?? null, { plugins: o.plugins }),
      question: r.question,
      label: r.label,
      prediction,
      rationale: r.rationale ?? '',
      predictedRationale: predictedRationales.get(i) ?? null,
      labelCutOff: !labelIds[i].includes(tok.eosId),
    };
  });
  return {
    summary: summarize(samples),
    samples,
    options: o,
    labelsCutOff: samples.filter((s) => s.labelCutOff).length,
    labelTokens,
    rationaleTokens: tokens - labelTokens,
    labelMillis,
    rationaleMillis,
    constraintMillis,
  };
}
