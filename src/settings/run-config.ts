// A training run's settings: one typed object with the paper's defaults (Table 2 of Marsh et al. 2026), shared by the
// engine, the CLI and the studio's forms. Pure data and pure functions only: the UI imports this module directly.
// parseRunConfig (below) completes partial settings from the defaults and refuses unknown keys and wrong types, naming the key.
import { quoteValue } from '../common/quote-value';

export type TuneMethod = 'full' | 'lora' | 'qlora';
export type LrSchedule = 'plateau' | 'constant' | 'linear' | 'cosine';
/** Which dataset rows a run trains on: only accepted rows, or every row not rejected. */
export type RowSelection = 'accepted' | 'not-rejected';

export interface LoraSettings {
  /** Rank r. */
  rank: number;
  /** lora_alpha; scaling = alpha / r (alpha / sqrt(r) with rsLoRA). */
  alpha: number;
  /** lora_dropout on the adapter input. */
  dropout: number;
  /** PEFT target module names (q, k, v, o, wi_0, wi_1, wi, wo). */
  targets: string[];
  /** rsLoRA: scaling alpha / sqrt(r); written explicitly as use_rslora in adapter_config.json. */
  rslora: boolean;
}

export interface RunConfig {
  method: TuneMethod;
  /** Used by lora and qlora. */
  lora: LoraSettings;
  /** QLoRA: double-quantize the NF4 absmax (the paper: off). */
  doubleQuant: boolean;
  /** Loss weight a: a * L_label + (1 - a) * L_rationale; 1.0 is the label-only ablation. */
  a: number;
  /** Peak learning rate. */
  lr: number;
  schedule: LrSchedule;
  /** Linear warmup in optimizer steps (linear and cosine schedules; 0 = none). */
  warmupSteps: number;
  /** ReduceLROnPlateau on eval loss: evaluations without improvement before the lr is cut. */
  plateauPatience: number;
  /** ReduceLROnPlateau multiplier. */
  plateauFactor: number;
  weightDecay: number;
  /** Global gradient-norm clip; 0 disables. */
  maxGradNorm: number;
  /** Examples per optimizer step (per micro-batch when gradAccum > 1). */
  batchSize: number;
  /** Micro-batches summed into one optimizer step. */
  gradAccum: number;
  epochs: number;
  /** Stop after this many optimizer steps (null: epochs decide). */
  maxSteps: number | null;
  /** Stop when eval loss has not improved for this many evaluations (null: never). */
  earlyStoppingPatience: number | null;
  /** Seed of the split, the data order, dropout and LoRA initialisation. */
  seed: number;
  /** Share of rows held out for evaluation (the dataset's seeded split). */
  evalFraction: number;
  maxInputLength: number;
  maxTargetLength: number;
  /** Dropout rate of the model (null: the checkpoint's config.dropout_rate). */
  dropoutRate: number | null;
  /** Shuffle the training rows every epoch (seeded); false keeps dataset order. */
  shuffle: boolean;
  rows: RowSelection;
}

export const DEFAULT_LORA_RANK = 128;
/** All linear layers of the blocks (the paper's choice); PEFT's own T5 default is q, v. */
export const ALL_LINEAR_TARGETS = ['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wi', 'wo'] as const;

export const RUN_DEFAULTS: RunConfig = {
  method: 'lora',
  lora: { rank: DEFAULT_LORA_RANK, alpha: 512, dropout: 0.05, targets: [...ALL_LINEAR_TARGETS], rslora: false },
  doubleQuant: false,
  a: 0.5,
  lr: 5e-5,
  schedule: 'plateau',
  warmupSteps: 0,
  plateauPatience: 10,
  plateauFactor: 0.1,
  weightDecay: 0,
  maxGradNorm: 1.0,
  batchSize: 8,
  gradAccum: 1,
  epochs: 100,
  maxSteps: null,
  earlyStoppingPatience: null,
  seed: 42,
  evalFraction: 0.2,
  maxInputLength: 512,
  maxTargetLength: 256,
  dropoutRate: null,
  shuffle: true,
  rows: 'accepted',
};

// ------------------------------------------------------------------------------------------------ parsing

type Check = (value: unknown, path: string) => string | null;

const positiveInt: Check = (v, p) => (Number.isInteger(v) && (v as number) >= 1 ? null : `${p} must be a positive integer`);
const nonNegativeInt: Check = (v, p) => (Number.isInteger(v) && (v as number) >= 0 ? null : `${p} must be a whole number >= 0`);
const positive: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : `${p} must be a positive number`);
const nonNegative: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `${p} must be a number >= 0`);
const unit: Check = (v, p) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : `${p} must be a number in [0, 1]`);
const below1: Check = (v, p) => (typeof v === 'number' && v >= 0 && v < 1 ? null : `${p} must be a number in [0, 1)`);
const integer: Check = (v, p) => (Number.isSafeInteger(v) ? null : `${p} must be an integer`);
const boolean: Check = (v, p) => (typeof v === 'boolean' ? null : `${p} must be true or false`);
const oneOf = (values: readonly string[]): Check => (v, p) => (typeof v === 'string' && values.includes(v) ? null : `${p} must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
const orNull = (check: Check): Check => (v, p) => (v === null ? null : check(v, p) && `${check(v, p)} or null`);
const targets: Check = (v, p) => {
  if (!Array.isArray(v) || v.length === 0) return `${p} must be a non-empty list of module names (${ALL_LINEAR_TARGETS.join(', ')})`;
  const bad = v.find((t) => typeof t !== 'string' || !(ALL_LINEAR_TARGETS as readonly string[]).includes(t));
  return bad === undefined ? null : `${p} has ${quoteValue(bad)}, not one of ${ALL_LINEAR_TARGETS.join(', ')}`;
};

const LORA_CHECKS: Record<keyof LoraSettings, Check> = { rank: positiveInt, alpha: positive, dropout: below1, targets, rslora: boolean };

const CHECKS: Record<Exclude<keyof RunConfig, 'lora'>, Check> = {
  method: oneOf(['full', 'lora', 'qlora']),
  doubleQuant: boolean,
  a: unit,
  lr: positive,
  schedule: oneOf(['plateau', 'constant', 'linear', 'cosine']),
  warmupSteps: nonNegativeInt,
  plateauPatience: nonNegativeInt,
  plateauFactor: (v, p) => (typeof v === 'number' && v > 0 && v < 1 ? null : `${p} must be a number in (0, 1)`),
  weightDecay: nonNegative,
  maxGradNorm: nonNegative,
  batchSize: positiveInt,
  gradAccum: positiveInt,
  epochs: positiveInt,
  maxSteps: orNull(positiveInt),
  earlyStoppingPatience: orNull(positiveInt),
  seed: integer,
  evalFraction: (v, p) => (typeof v === 'number' && v >= 0 && v < 1 ? null : `${p} must be a number in [0, 1)`),
  maxInputLength: positiveInt,
  maxTargetLength: positiveInt,
  dropoutRate: orNull(below1),
  shuffle: boolean,
  rows: oneOf(['accepted', 'not-rejected']),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A complete RunConfig from partial JSON: missing keys come from RUN_DEFAULTS (lora's keys one by one), unknown keys
 * and wrong types are refused with an Error naming the source and the key path ("run.json: lora.rank must be a
 * positive integer").
 */
export function parseRunConfig(json: unknown, source = 'run config'): RunConfig {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (json === undefined || json === null) return structuredClone(RUN_DEFAULTS);
  if (!isObject(json)) fail('expected an object of run settings');
  const o = json as Record<string, unknown>;
  const out: RunConfig = structuredClone(RUN_DEFAULTS);
  for (const [key, value] of Object.entries(o)) {
    if (key === 'lora') {
      if (!isObject(value)) fail('lora must be an object with rank, alpha, dropout, targets, rslora');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const check = Object.hasOwn(LORA_CHECKS, k) ? LORA_CHECKS[k as keyof LoraSettings] : undefined; // never a prototype member
        if (!check) return fail(`unknown key lora.${k} (known: ${Object.keys(LORA_CHECKS).join(', ')})`);
        const problem = check(v, `lora.${k}`);
        if (problem) fail(`${problem} (got ${quoteValue(v)})`);
        (out.lora as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
      }
      continue;
    }
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof typeof CHECKS] : undefined;
    if (!check) return fail(`unknown key ${key} (known: lora, ${Object.keys(CHECKS).join(', ')})`);
    if (value === undefined) continue;
    const problem = check(value, key);
    if (problem) fail(`${problem} (got ${quoteValue(value)})`);
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
