// The Experiments page's builder: the form's values as a grid (sweep or ablation) and each trial's estimate before
// anything starts (GPU memory from the model's released config, steps from the rows and the batch).
import type { RunConfig, TuneMethod } from '../../settings/run-config';
import { estimateMemory, passRows } from '../../settings/memory-estimate';
import { T5_PRESETS } from '../../settings/models';
import { ablationGrid, expandGrid, modelName, paperGrid, PAPER_ALPHAS, PAPER_MAX_RATIO, PAPER_METHODS, PAPER_MODELS, PAPER_RANKS, type GridSpec, type Trial } from '../../experiments/grid';
import type { ResultRow } from '../../experiments/results';

export interface BuilderForm {
  kind: 'sweep' | 'ablation';
  /** Hub ids. */
  models: string[];
  methods: TuneMethod[];
  ranks: number[];
  alphas: number[];
  maxRatio: number;
  seeds: number[];
  mixes: number[];
}

export const PAPER_FORM: BuilderForm = { kind: 'sweep', models: [...PAPER_MODELS], methods: [...PAPER_METHODS], ranks: [...PAPER_RANKS], alphas: [...PAPER_ALPHAS], maxRatio: PAPER_MAX_RATIO, seeds: [42], mixes: [0.5] };
export const ABLATION_FORM: BuilderForm = { kind: 'ablation', models: [...PAPER_MODELS], methods: ['lora'], ranks: [128], alphas: [512], maxRatio: Infinity, seeds: [1, 2], mixes: [0.5, 1.0] };

/** "32, 64" -> [32, 64]; a bad entry is named. */
export function parseNumbers(label: string, text: string): number[] {
  const items = text.split(/[\s,]+/).filter(Boolean);
  const out = items.map(Number);
  const bad = items.find((_, i) => !Number.isFinite(out[i]));
  if (bad !== undefined) throw new Error(`${label}: "${bad}" is not a number`);
  return out;
}

export function gridOf(form: BuilderForm, base: Partial<RunConfig>, baseUrl?: string): GridSpec {
  const models = form.models.map((id) => {
    const source = { kind: 'hub' as const, id, ...(baseUrl ? { baseUrl } : {}) };
    return { name: modelName(source), source };
  });
  if (form.kind === 'ablation') {
    const lora = { ...(base.lora ?? {}), rank: form.ranks[0] ?? 128, alpha: form.alphas[0] ?? 512 } as RunConfig['lora'];
    return ablationGrid(models, form.methods, form.seeds, form.mixes, { ...base, lora });
  }
  const grid = paperGrid(models, base);
  return { ...grid, methods: form.methods, ranks: form.ranks, alphas: form.alphas, maxRatio: form.maxRatio, seeds: form.seeds, mixes: form.mixes };
}

export interface TrialEstimate {
  trial: Trial;
  /** GPU bytes (null when the model's config is not known before loading). */
  memoryBytes: number | null;
  steps: number;
  /** Seconds, from measured runs of the same model and method (mean seconds per step x steps); null without any. */
  seconds: number | null;
}

/** Each trial's memory, steps and (when measured runs exist) time before the start. */
export function estimateTrials(trials: readonly Trial[], config: RunConfig, trainRows: number, measured: readonly ResultRow[], modelIds: Record<string, string>): TrialEstimate[] {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainRows / (config.batchSize * config.gradAccum)));
  const steps = config.maxSteps ?? config.epochs * stepsPerEpoch;
  return trials.map((trial) => {
    const preset = T5_PRESETS[modelIds[trial.model] ?? ''];
    const memoryBytes = preset
      ? estimateMemory(preset, { batch: passRows(config.batchSize, trial.a), inputLength: config.maxInputLength, targetLength: config.maxTargetLength, method: trial.method, loraRank: trial.rank ?? undefined, doubleQuant: trial.config.doubleQuant }).total
      : null;
    const same = measured.filter((r) => r.status === 'done' && r.model === trial.model && r.method === trial.method && r.train_seconds !== null);
    const seconds = same.length ? (same.reduce((s, r) => s + (r.train_seconds as number), 0) / same.length) : null;
    return { trial, memoryBytes, steps, seconds };
  });
}

export { expandGrid };
