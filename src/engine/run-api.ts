// The engine's run methods and the plain data they exchange: the contract between the trainer (src/train behind
// src/engine), the browser worker, the CLI and the studio. Types only; everything here is structured-clone safe.
import type { ByCategory } from '../settings/memory';
import type { RunConfig, RowSelection } from '../settings/run-config';
import type { ModelSource, SourceDescription } from './api';

/** What kind of failure an engine call ended in; crosses the worker as data (never matched by message text). */
export type EngineErrorKind = 'cancelled' | 'device-lost' | 'out-of-memory' | 'storage-full' | 'bad-input' | 'busy' | 'not-found' | 'internal';

export interface EngineErrorData {
  kind: EngineErrorKind;
  /** A sentence a person can act on, naming the file, row or field when there is one. */
  message: string;
}

/** One row a run trains or evaluates on: the dataset row's text, as the studio or the CLI read it. */
export interface TrainingRow {
  id: string;
  question: string;
  /** Query DSL JSON text. */
  label: string;
  /** Empty when the dataset has none (the run then trains label-only, a = 1, and says so). */
  rationale: string;
  createdAt?: number;
}

/** The rows of a run, copied into the run when it starts, so a later edit of the dataset cannot change a resume. */
export interface RunData {
  /** Dataset name (or file name in the CLI). */
  name: string;
  datasetId?: string;
  datasetVersion?: number;
  selection?: RowSelection;
  rows: TrainingRow[];
}

/** A PEFT LoRA adapter a run continues instead of starting a fresh one (adapter_config.json + adapter_model.safetensors, optional tokenizer files). */
export interface StartAdapter {
  /** Its name for people (the zip's or folder's name). */
  label: string;
  files: FileRecord;
}

/** Where a run that continued an adapter started (on its record, run page and model card). */
export interface StartedFrom {
  adapter: string;
  /** SHA-256 (hex) of the adapter's adapter_model.safetensors. */
  sha256: string;
  /** The adapter's base_model_name_or_path, when it names one. */
  base: string | null;
  r: number;
  alpha: number;
}

export interface RunSpec {
  /** The run's id (its folder name in the CLI: letters, digits, . - _); default: generated. Refused if taken. */
  id?: string;
  /** A person's name for the run; default: method, model and time. */
  name?: string;
  /** Partial settings are completed from RUN_DEFAULTS; unknown keys and wrong types are refused (bad-input). */
  config: Partial<RunConfig>;
  model: ModelSource;
  data: RunData;
  /**
   * Continue this adapter (method lora or qlora): its weights and token rows train on, AdamW's moments start fresh.
   * Its adapter_config.json sets the LoRA settings; a config.lora value that differs is refused (bad-input).
   */
  adapter?: StartAdapter;
}

export type RunStatus = 'running' | 'paused' | 'done' | 'cancelled' | 'failed' | 'interrupted';

/** One optimizer step (metrics.jsonl rows without eval_loss). */
export interface StepMetrics {
  kind: 'train';
  step: number;
  /** Fractional epochs done (step / steps per epoch). */
  epoch: number;
  loss: number;
  loss_label: number;
  /** null when a = 1 (no rationale pass). */
  loss_rationale: number | null;
  lr: number;
  grad_norm: number;
  /** Rows per second of this step's wall time (the first step includes compiling the kernels). */
  samples_per_s: number;
  /** Input + target positions of both tasks (padding included: what the GPU computed) per second. */
  tokens_per_s: number;
  /** Live GPU bytes by category and the peak total so far, from the engine's buffer ledger. */
  gpu_bytes: ByCategory;
  gpu_peak_bytes: number;
  /** Seconds of training so far (pauses excluded). */
  elapsed_s: number;
  /** true when the loss or the gradient norm was not finite (NaN, Inf): the update was skipped, the weights kept. */
  skipped?: boolean;
}

/** One evaluation on the eval split. */
export interface EvalMetrics {
  kind: 'eval';
  step: number;
  epoch: number;
  eval_loss: number;
  eval_loss_label: number;
  eval_loss_rationale: number | null;
}

export type MetricRow = StepMetrics | EvalMetrics;

/** What the data turned into, counted before the start so nothing is dropped silently. */
export interface RunDataReport {
  rowsGiven: number;
  trainRows: number;
  evalRows: number;
  /** Rows left out, with why: no question, no label, label not JSON, ... */
  skipped: { rowId: string; reason: string }[];
  /** Label text that is not valid Query DSL (kept: the label is the teacher's, screened by the user). */
  invalidLabels: number;
  labelInputsTruncated: number;
  rationaleInputsTruncated: number;
  labelTargetsTruncated: number;
  rationaleTargetsTruncated: number;
  /** Characters added to the tokenizer so JSON labels tokenize losslessly (e.g. "{", "}"). */
  addedCharacters: string[];
  /** true when no row has a rationale: the run trains label-only (a = 1). */
  labelOnly: boolean;
}

export interface RunMemoryPlan {
  /** Estimated bytes by category and in total. */
  estimate: { weights: number; grads: number; optimizer: number; activations: number; total: number };
  /** The device's limits that matter. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** The largest single buffer the run needs (logits or the largest weight). */
  largestBuffer: { what: string; bytes: number };
  /**
   * Forward/backward passes per micro-batch and sequences in each: 1 x 2B when the label and rationale tasks share a
   * pass, 2 x B when their joint logits would not fit one binding, 1 x B label-only.
   */
  passes: number;
  sequencesPerPass: number;
  fits: boolean;
  /** Why it does not fit, with the numbers. */
  reason?: string;
}

export interface RunPlan {
  config: RunConfig;
  data: RunDataReport;
  memory: RunMemoryPlan;
  stepsPerEpoch: number;
  totalSteps: number;
  trainableParams: number;
  /** Every parameter the trained model has: the base's, plus LoRA/QLoRA's adapters and trainable token rows (PEFT's "all params"). */
  totalParams: number;
}

export interface CheckpointInfo {
  step: number;
  epoch: number;
  evalLoss: number | null;
  savedAt: number;
}

export interface RunRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  config: RunConfig;
  model: SourceDescription & { label: string };
  data: Omit<RunData, 'rows'> & { rows: number; trainRows: number; evalRows: number };
  status: RunStatus;
  error?: EngineErrorData;
  /** Optimizer steps done and planned. */
  step: number;
  totalSteps: number;
  epoch: number;
  trainSeconds: number;
  best: { step: number; eval_loss: number; eval_loss_label: number; eval_loss_rationale: number | null } | null;
  final: { step: number; loss: number | null; eval_loss: number | null } | null;
  peakGpuBytes: number;
  /** true (as listRuns/getRun report it) while another tab of the studio trains the run: not resumable here. */
  elsewhere?: boolean;
  /** Optimizer steps whose update was skipped for a non-finite loss or gradient norm (absent: none). */
  skippedSteps?: number;
  checkpoints: { latest?: CheckpointInfo; best?: CheckpointInfo };
  plan: RunPlan;
  /** Present when the run continued an imported adapter rather than a fresh one. */
  startedFrom?: StartedFrom;
}

/** What a run reports while it trains (also fed to the studio's charts). */
export type RunEvent =
  | { type: 'plan'; runId: string; plan: RunPlan }
  | { type: 'status'; runId: string; status: RunStatus | 'tuning' | 'evaluating' | 'saving'; message?: string }
  | { type: 'metrics'; runId: string; row: MetricRow }
  | { type: 'checkpoint'; runId: string; name: 'latest' | 'best'; info: CheckpointInfo };

/** Files by name (relative to the folder): bytes or text. */
export type FileRecord = Record<string, Uint8Array | string>;

export interface RunApi {
  /** Read the data and the model's config, and say what a run would do: counts, memory, steps. Nothing trains. */
  planRun(spec: RunSpec): Promise<RunPlan>;
  /**
   * Start a run. Settles when the run stops (done, paused, cancelled, failed, interrupted) with its record; events
   * stream through onEvent meanwhile. One run at a time (a second start is refused with kind 'busy').
   */
  startRun(spec: RunSpec, onEvent?: (e: RunEvent) => void): Promise<RunRecord>;
  /** Continue a paused or interrupted run from its latest checkpoint (exactly: same data order, RNG, moments). */
  resumeRun(runId: string, onEvent?: (e: RunEvent) => void, options?: { maxSteps?: number; model?: ModelSource }): Promise<RunRecord>;
  /** Stop at the next step boundary after saving the latest checkpoint. false when that run is not running here. */
  pauseRun(runId: string): Promise<boolean>;
  /** Stop at the next step boundary; the run keeps its checkpoints and metrics. */
  cancelRun(runId: string): Promise<boolean>;
  listRuns(): Promise<RunRecord[]>;
  getRun(runId: string): Promise<RunRecord | null>;
  runMetrics(runId: string): Promise<MetricRow[]>;
  /** The rows a stored run held out for evaluation, from its own data snapshot and split. */
  runEvalRows(runId: string): Promise<TrainingRow[]>;
  deleteRun(runId: string): Promise<boolean>;
  /** The id of the run training in this engine, if any. */
  activeRun(): Promise<string | null>;
  /** PEFT adapter files (adapter_config.json, adapter_model.safetensors, tokenizer files, README.md) of a LoRA/QLoRA run. */
  exportRunAdapter(runId: string, checkpoint: 'best' | 'latest'): Promise<FileRecord>;
}
