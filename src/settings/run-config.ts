// A training run's settings: one typed object with the paper's defaults (Table 2 of Marsh et al. 2026), shared by the
// engine, the CLI and the studio's forms. Pure data and pure functions only: the UI imports this module directly.
// parseRunConfig (same file, owned by src/train's author) refuses unknown keys and wrong types, naming the key.

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
