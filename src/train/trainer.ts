// One training run on the GPU: the model as the method wants it (full: every base weight trains; LoRA: adapters on
// a frozen base; QLoRA: adapters on an NF4 base), the DSS step, AdamW, the LR schedule and the position in the data.
// trainStep() takes one optimizer step; evaluate() scores the eval split; checkpointFiles() captures everything a
// resume needs, and Trainer.create(..., resume) continues from it exactly: the data order is regenerated from
// (seed, epoch), dropout seeds come from (seed, step), and weights, moments and schedule state are restored bit for bit.
import { hashString } from '../common/random';
import type { Gpu } from '../gpu/gpu';
import type { LoadedCheckpoint } from '../io/checkpoint';
import { memorySource } from '../io/byte-source';
import { readSafetensorsHeader, readTensorF32, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { t5ConfigToJson } from '../model/config';
import type { T5Dims } from '../model/dims';
import { dssCapacity, DssStep } from '../model/dss-step';
import type { PassShape } from '../model/records';
import { attachLora } from '../model/lora';
import { selectNf4Compute } from '../model/nf4-compute';
import { qloraLoadOptions } from '../model/qlora';
import { loadT5, type T5Model } from '../model/t5-model';
import { T5Runner } from '../model/t5-runner';
import type { FileRecord, RunRecord, StepMetrics } from '../engine/run-api';
import { fileBytes, fileText } from './run-files';
import type { DssExample } from '../data/dss-examples';
import type { RunConfig } from '../settings/run-config';
import { optimizerStep } from './accumulate';
import { forMix, taskWeights } from './mix';
import { AdamW } from './optimizer';
import { chunks, effectiveMix, epochOrder, padBatch, stepsPerEpoch, type PreparedData } from './run-data';
import { LrScheduler, type ScheduleState } from './schedule';
import { loadStartAdapter } from './start-adapter';
import { attachRunTokenRows, initRowsToMean } from './token-rows';

export const CHECKPOINT_FORMAT = 1;

/** Where a run is: saved as state.json in every checkpoint. */
export interface TrainState {
  format: number;
  /** Optimizer steps done. */
  step: number;
  /** Epoch in progress (0-based) and the next micro-batch in its order. */
  epoch: number;
  micro: number;
  schedule: ScheduleState;
  best: RunRecord['best'];
  /** Evaluations since eval loss last improved (early stopping). */
  badEvals: number;
  /** Seconds of training (pauses excluded). */
  elapsed: number;
  /** The data order is epochOrder(trainRows, seed, epoch, shuffle): the seed regenerates it. */
  seed: number;
  shuffle: boolean;
  /** Token ids whose embedding rows train with the adapter (LoRA/QLoRA with added characters). */
  tokenRows: number[];
  /** Steps whose update was skipped (non-finite loss or gradient norm), in all and in a row up to this step. */
  skippedSteps: number;
  nonFiniteInARow: number;
}

/** Non-finite steps in a row that stop a run: it has diverged, and skipping more would only burn time. */
export const NON_FINITE_LIMIT = 5;

export interface EvalLosses {
  total: number;
  label: number;
  rationale: number | null;
}

export interface TrainerInit {
  gpu: Gpu;
  /** The base checkpoint (weights are read from it one tensor at a time). */
  checkpoint: LoadedCheckpoint;
  config: RunConfig;
  data: PreparedData;
  /** Continue from these checkpoint files. */
  resume?: FileRecord;
  /** Total optimizer steps (default: maxSteps, else epochs x steps per epoch). */
  totalSteps?: number;
  /**
   * PEFT adapter files the run continues (LoRA/QLoRA, settings as readStartAdapter derived them): loaded trainable
   * instead of fresh adapters, AdamW's moments at zero. Ignored with resume (the checkpoint holds the adapter).
   */
  start?: FileRecord;
}

const WEIGHTS_FULL = 'model.safetensors';
const WEIGHTS_ADAPTER = 'weights.safetensors';
const OPTIMIZER = 'optimizer.safetensors';
const STATE = 'state.json';

async function readAll(bytes: Uint8Array, name: string): Promise<Map<string, Float32Array>> {
  const source = memorySource(bytes, name);
  const header = await readSafetensorsHeader(source, name);
  const out = new Map<string, Float32Array>();
  for (const key of header.tensors.keys()) out.set(key, await readTensorF32(source, header, key));
  return out;
}

/** Dropout seed of an optimizer step: from the run's seed and the step, below 2^22 so seed * 1024 + micro fits a u32. */
export function stepSeed(seed: number, step: number): number {
  return hashString(`step ${step}`, seed) % 4_000_000;
}

/** Optimizer steps a run plans: maxSteps when set (as HF's max_steps, it overrides epochs), else epochs x steps. */
export function plannedSteps(config: RunConfig, trainRows: number): number {
  return config.maxSteps ?? config.epochs * stepsPerEpoch(trainRows, config).steps;
}

/** The model as the method trains it; LoRA/QLoRA get fresh adapters unless `adapters` is false (a start adapter comes next). */
export async function loadRunModel(gpu: Gpu, checkpoint: LoadedCheckpoint, config: RunConfig, adapters = true): Promise<T5Model> {
  const modelConfig = config.dropoutRate === null ? checkpoint.config : { ...checkpoint.config, dropout_rate: config.dropoutRate };
  const read = (name: string) => checkpoint.readTensor(name);
  if (config.method === 'full') return loadT5(gpu, modelConfig, read, { trainBase: true });
  const quant = config.method === 'qlora' ? qloraLoadOptions({ doubleQuant: config.doubleQuant }) : {};
  const model = await loadT5(gpu, modelConfig, read, { trainBase: false, ...quant });
  try {
    if (config.method === 'qlora') model.params.nf4Compute = await selectNf4Compute(gpu, model);
    const l = config.lora;
    if (adapters) attachLora(gpu, model, { targets: l.targets, r: l.rank, alpha: l.alpha, dropout: l.dropout, rslora: l.rslora, seed: config.seed });
  } catch (e) {
    model.params.free();
    throw e;
  }
  return model;
}

/** The records' shape for a run's batches: both tasks' rows in one pass when the run's mix has a rationale task. */
export function runPassShape(gpu: Gpu, dims: T5Dims, config: RunConfig, data: PreparedData): PassShape {
  return dssCapacity(gpu, dims, { B: config.batchSize, Tin: data.longestInput, Tout: data.longestTarget }, effectiveMix(config, data.report) < 1);
}

export class Trainer {
  readonly a: number;
  readonly microPerEpoch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private order: { epoch: number; ids: number[] } | null = null;
  private freed = false;

  private constructor(
    private readonly gpu: Gpu,
    readonly model: T5Model,
    readonly runner: T5Runner,
    readonly step: DssStep,
    readonly opt: AdamW,
    readonly scheduler: LrScheduler,
    readonly config: RunConfig,
    readonly data: PreparedData,
    readonly checkpoint: LoadedCheckpoint,
    public state: TrainState,
    totalSteps: number,
  ) {
    this.a = effectiveMix(config, data.report);
    const per = stepsPerEpoch(data.train.length, config);
    this.microPerEpoch = per.micro;
    this.stepsPerEpoch = per.steps;
    this.totalSteps = totalSteps;
  }

  static async create(init: TrainerInit): Promise<Trainer> {
    const { gpu, checkpoint, config, data, resume } = init;
    const start = resume ? undefined : init.start;
    if (start && config.method === 'full') throw new Error('a full fine-tune cannot continue an adapter');
    const model = await loadRunModel(gpu, checkpoint, config, !start);
    let runner: T5Runner | null = null;
    let step: DssStep | null = null;
    let opt: AdamW | null = null;
    try {
      // Checkpoints from before skipped steps were counted have none.
      const saved = resume ? ({ skippedSteps: 0, nonFiniteInARow: 0, ...JSON.parse(fileText(resume, STATE)) } as TrainState) : null;
      if (saved && saved.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint state.json has format ${saved.format}; this build reads ${CHECKPOINT_FORMAT}`);
      let tokenRows = saved ? saved.tokenRows : config.method === 'full' ? [] : data.addedTokenIds;
      if (start) tokenRows = await loadStartAdapter(gpu, model, start, config, data.addedTokenIds);
      else if (tokenRows.length > 0) await attachRunTokenRows(gpu, model, tokenRows);
      if (!saved && config.method === 'full') await initRowsToMean(gpu, model, data.addedTokenIds);
      runner = new T5Runner(gpu, model.dims, model.params, runPassShape(gpu, model.dims, config, data));
      step = new DssStep(gpu, model, runner);
      opt = new AdamW(gpu, model.params, { lr: config.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay, maxGradNorm: config.maxGradNorm });
      const totalSteps = init.totalSteps ?? plannedSteps(config, data.train.length);
      const scheduleOptions = { kind: config.schedule, lr: config.lr, warmupSteps: config.warmupSteps, totalSteps, patience: config.plateauPatience, factor: config.plateauFactor };
      const state: TrainState = saved ?? {
        format: CHECKPOINT_FORMAT, step: 0, epoch: 0, micro: 0, schedule: { lr: config.lr, best: null, bad: 0 }, best: null, badEvals: 0,
        elapsed: 0, seed: config.seed, shuffle: config.shuffle, tokenRows, skippedSteps: 0, nonFiniteInARow: 0,
      };
      if (resume) {
        const weightsName = config.method === 'full' ? WEIGHTS_FULL : WEIGHTS_ADAPTER;
        const weights = await readAll(fileBytes(resume, weightsName), weightsName);
        for (const p of model.params.trainable()) {
          const w = weights.get(p.name);
          if (!w) throw new Error(`checkpoint ${weightsName} has no ${p.name}`);
          gpu.write(p.value!, w);
        }
        const moments = await readAll(fileBytes(resume, OPTIMIZER), OPTIMIZER);
        // AdamW's step counts the updates applied: skipped steps advanced the run, not the optimizer.
        opt.writeState(state.step - state.skippedSteps, moments, OPTIMIZER);
      }
      return new Trainer(gpu, model, runner, step, opt, new LrScheduler(scheduleOptions, state.schedule), config, data, checkpoint, state, totalSteps);
    } catch (e) {
      opt?.free();
      step?.free();
      runner?.free();
      model.params.free();
      throw e;
    }
  }

  /** The run has diverged: NON_FINITE_LIMIT steps in a row had a non-finite loss or gradient norm. */
  get diverged(): boolean {
    return this.state.nonFiniteInARow >= NON_FINITE_LIMIT;
  }

  get done(): boolean {
    return this.state.step >= this.totalSteps;
  }

  private epochIds(): number[] {
    const s = this.state;
    if (!this.order || this.order.epoch !== s.epoch) this.order = { epoch: s.epoch, ids: epochOrder(this.data.train.length, s.seed, s.epoch, s.shuffle) };
    return this.order.ids;
  }

  /** One optimizer step. epochEnded says whether it finished an epoch (time to evaluate and save). */
  async trainStep(): Promise<{ metrics: StepMetrics; epochEnded: boolean }> {
    const s = this.state;
    const c = this.config;
    const micro = chunks(this.epochIds(), c.batchSize).slice(s.micro, s.micro + c.gradAccum);
    const batches = micro.map((ids) => padBatch(ids.map((i) => this.data.train[i])));
    const lr = this.scheduler.lrAt(s.step + 1);
    const started = performance.now();
    const { losses, gradNorm, skipped } = await optimizerStep(this.step, this.model.params, this.opt, batches, { seed: stepSeed(s.seed, s.step + 1), lr, a: this.a });
    const seconds = (performance.now() - started) / 1000;
    s.step += 1;
    s.micro += micro.length;
    s.elapsed += seconds;
    s.skippedSteps += skipped ? 1 : 0;
    s.nonFiniteInARow = skipped ? s.nonFiniteInARow + 1 : 0;
    const epochEnded = s.micro >= this.microPerEpoch;
    if (epochEnded) {
      s.epoch += 1;
      s.micro = 0;
    }
    const samples = micro.reduce((n, ids) => n + ids.length, 0);
    const tokens = batches.reduce((n, b) => n + [b.label, b.rationale].reduce((m, t) => m + (t ? t.input_ids.length * (t.input_ids[0].length + t.labels[0].length) : 0), 0), 0);
    const mem = this.gpu.memory();
    const metrics: StepMetrics = {
      kind: 'train', step: s.step, epoch: this.epochProgress(), loss: losses.total, loss_label: losses.label, loss_rationale: losses.rationale,
      lr, grad_norm: gradNorm, samples_per_s: samples / seconds, tokens_per_s: tokens / seconds,
      gpu_bytes: { ...mem.live }, gpu_peak_bytes: mem.peakTotal, elapsed_s: s.elapsed,
      ...(skipped ? { skipped: true } : {}),
    };
    return { metrics, epochEnded };
  }

  /** Fractional epochs done. */
  epochProgress(): number {
    return this.state.epoch + this.state.micro / this.microPerEpoch;
  }

  /** Token-weighted mean losses over the eval split, dropout off; null when the split is empty. */
  async evaluate(): Promise<EvalLosses | null> {
    if (this.data.eval.length === 0) return null;
    return scoreExamples(this.step, this.data.eval, this.a, this.config.batchSize);
  }

  /** Feed an evaluation to the schedule and early stopping; true when it is the best so far. */
  recordEval(e: EvalLosses): { best: boolean; stop: boolean } {
    const s = this.state;
    this.scheduler.onEval(e.total);
    s.schedule = this.scheduler.saved;
    const best = s.best === null || e.total < s.best.eval_loss;
    if (best) {
      s.best = { step: s.step, eval_loss: e.total, eval_loss_label: e.label, eval_loss_rationale: e.rationale };
      s.badEvals = 0;
    } else {
      s.badEvals += 1;
    }
    const patience = this.config.earlyStoppingPatience;
    return { best, stop: patience !== null && s.badEvals >= patience };
  }

  /** Everything a resume needs, plus the augmented tokenizer (and for LoRA/QLoRA the trainable weights by PEFT name). */
  async checkpointFiles(): Promise<FileRecord> {
    const gpu = this.gpu;
    const full = this.config.method === 'full';
    const weights = new Map<string, TensorToWrite>();
    for (const p of this.model.params.trainable()) weights.set(p.name, { dtype: 'F32', shape: [...p.shape], data: await gpu.readF32(p.value!) });
    const { step, tensors } = await this.opt.readState();
    const moments = new Map<string, TensorToWrite>();
    for (const [name, data] of tensors) moments.set(name, { dtype: 'F32', shape: [data.length], data });
    this.state.schedule = this.scheduler.saved;
    const files: FileRecord = {
      [STATE]: `${JSON.stringify(this.state, null, 1)}\n`,
      [full ? WEIGHTS_FULL : WEIGHTS_ADAPTER]: serializeSafetensors(weights),
      [OPTIMIZER]: serializeSafetensors(moments, { step: String(step) }),
      'tokenizer.json': this.data.tokenizer.tokenizerJson,
      'tokenizer_config.json': `${JSON.stringify(this.data.tokenizer.tokenizerConfig ?? {}, null, 2)}\n`,
    };
    // A full fine-tune's checkpoint folder is a Hugging Face checkpoint (config.json + model.safetensors + tokenizer).
    if (full) files['config.json'] = `${JSON.stringify(t5ConfigToJson(this.checkpoint.config), null, 2)}\n`;
    return files;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.opt.free();
    this.step.free();
    this.runner.free();
    this.model.params.free();
  }
}

/** Token-weighted mean losses of examples in batches of batchSize, dropout off (Trainer.evaluate and the engine's Evaluator). */
export async function scoreExamples(step: DssStep, examples: DssExample[], a: number, batchSize: number): Promise<EvalLosses> {
  const weights = taskWeights(a);
  let label = 0;
  let labelTokens = 0;
  let rationale = 0;
  let rationaleTokens = 0;
  for (const group of chunks(examples, batchSize)) {
    const l = await step.run(forMix(a, padBatch(group)), { train: false, backward: false, seed: 0, weights });
    label += l.label * l.labelTokens;
    labelTokens += l.labelTokens;
    if (l.rationale !== null && l.rationaleTokens > 0) {
      rationale += l.rationale * l.rationaleTokens;
      rationaleTokens += l.rationaleTokens;
    }
  }
  const L = label / labelTokens;
  const R = rationaleTokens > 0 ? rationale / rationaleTokens : null;
  return { label: L, rationale: R, total: R === null ? L : a * L + (1 - a) * R };
}
