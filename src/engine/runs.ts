// The engine's run methods (RunApi): plan a run, start it, pause / cancel at step boundaries, resume from the latest
// checkpoint, list, delete, export. The loop itself is src/train (Trainer); this file owns the run's lifecycle: its
// record, metrics and checkpoints in the host's RunStore, events for the studio and the CLI, and errors as kinds.
import type { Gpu } from '../gpu/gpu';
import { autotunerFor } from '../gpu/autotune';
import type { CheckpointSource, LoadedCheckpoint } from '../io/checkpoint';
import { exportAdapter } from '../io/peft';
import { dssPassBatch } from '../model/dss-step';
import type { T5Tokenizer } from '../model/tokenizer';
import { estimateMemory, largestTrainingBuffer } from '../settings/memory-estimate';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { effectiveMix, prepareRunData, runEvalRows, type PreparedData } from '../train/run-data';
import { plannedSteps, Trainer, type EvalLosses } from '../train/trainer';
import type { ModelSource } from './api';
import { badInput, EngineError, errorKind, toErrorData } from './errors';
import { readCheckpoint } from './loaded-model';
import { describeSource } from './model-sources';
import type {
  CheckpointInfo, EvalMetrics, FileRecord, MetricRow, RunApi, RunEvent, RunMemoryPlan, RunPlan, RunRecord, RunSpec, RunStatus, StartedFrom, StepMetrics,
  TrainingRow,
} from './run-api';
import { readStartAdapter, startAdapterConfig, type StartAdapterInfo } from '../train/start-adapter';
import { createTextTokenizer } from '../model/tokenizer';
import { fileText } from '../train/run-files';
import type { RunLocks } from './run-locks';
import { checkRunId, type CheckpointName, type RunStore } from './run-store';

/** Opens a model source (the engine's openers). */
export type OpenModel = (source: ModelSource, signal: AbortSignal) => CheckpointSource;

interface Prepared {
  config: RunConfig;
  checkpoint: LoadedCheckpoint;
  source: CheckpointSource;
  data: PreparedData;
  plan: RunPlan;
  /** The adapter a new run continues (not set on resume: the checkpoint holds it). */
  start?: { info: StartAdapterInfo; files: FileRecord };
}

/** The tokenizer a run tokenizes with when it is not the base's: a start adapter's, or on resume the checkpoint's. */
type TokenizerFiles = { tokenizerJson: string; tokenizerConfig?: Record<string, unknown> };

interface Active {
  id: string;
  stop: 'pause' | 'cancel' | null;
}

const elsewhere = (id: string) =>
  new EngineError('busy', `run ${id} is training in another tab of this studio; pause it there (or close that tab) before resuming it here`);

const ADAPTER_DIR = 'adapter/';

/** The model card's words for a run that continued an adapter. */
export function continuedNote(from: StartedFrom): string {
  return `Continued from adapter ${from.adapter} (adapter_model.safetensors sha256 ${from.sha256.slice(0, 16)}, r ${from.r}, lora_alpha ${from.alpha}${from.base ? `, base ${from.base}` : ''}): its weights trained on from step 0; AdamW's moments started fresh.`;
}


/** The plain source a run's record remembers, as a ModelSource to open again on resume (picked files cannot be). */
function reopenable(model: RunRecord['model']): ModelSource | null {
  if (model.kind === 'hub') return { kind: 'hub', id: model.id, baseUrl: model.baseUrl, revision: model.revision };
  if (model.kind === 'folder') return { kind: 'folder', path: model.path };
  return null;
}

/** Why a diverged run stopped, what was kept and what to change. */
function divergedMessage(t: Trainer, last: StepMetrics, latest: number | null): string {
  const n = t.state.nonFiniteInARow;
  const kept = latest === null ? 'no checkpoint was saved yet' : `the latest checkpoint (step ${latest}) is kept`;
  return (
    `the run diverged: ${n} optimizer steps in a row (${last.step - n + 1} to ${last.step}) had a non-finite loss or gradient norm ` +
    `(last: loss ${last.loss}, grad norm ${last.grad_norm}); their updates were skipped and ${kept}. ` +
    `Lower the learning rate (now ${t.config.lr}) or check the data, then start again.`
  );
}

export class RunManager implements RunApi {
  private active: Active | null = null;
  private deviceLost: string | null = null;
  private runs = 0;

  constructor(
    private readonly gpu: Gpu,
    private readonly open: OpenModel,
    private readonly store: RunStore | undefined,
    private readonly locks?: RunLocks,
  ) {
    gpu.onError((r) => {
      if (r.kind === 'device-lost') this.deviceLost = r.message;
    });
  }

  private get runStore(): RunStore {
    if (!this.store) throw new EngineError('internal', 'this engine was made without a run store: runs cannot be saved here');
    return this.store;
  }

  // ---- planning ----

  /**
   * Read the model (and a start adapter) and the data, and plan the run. `ownTokenizer` replaces the base's tokenizer
   * (a resumed run that continued an adapter tokenizes as it started: with its checkpoint's tokenizer).
   */
  private async prepare(spec: RunSpec, overrides: Partial<RunConfig> = {}, ownTokenizer?: TokenizerFiles): Promise<Prepared> {
    if (typeof spec !== 'object' || spec === null) badInput('a run needs { config, model, data }');
    let config: RunConfig;
    try {
      config = parseRunConfig({ ...(spec.config ?? {}), ...overrides }, 'run settings');
    } catch (e) {
      badInput(e);
    }
    if (!spec.data || !Array.isArray(spec.data.rows)) badInput('run data: rows must be a list of { id, question, label, rationale }');
    let source: CheckpointSource;
    let checkpoint: LoadedCheckpoint;
    let tokenizer: T5Tokenizer;
    try {
      source = this.open(spec.model, new AbortController().signal);
      ({ checkpoint, tokenizer } = await readCheckpoint(source, () => undefined));
    } catch (e) {
      badInput(e);
    }
    let start: Prepared['start'];
    if (spec.adapter !== undefined) {
      try {
        const info = await readStartAdapter(spec.adapter, checkpoint.config);
        config = parseRunConfig({ ...startAdapterConfig(spec.config ?? {}, info), ...overrides }, 'run settings');
        start = { info, files: spec.adapter.files };
        ownTokenizer = info.tokenizer ?? ownTokenizer;
      } catch (e) {
        badInput(e);
      }
    }
    let tokenizerFiles: TokenizerFiles = { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig };
    if (ownTokenizer) {
      try {
        tokenizer = createTextTokenizer(ownTokenizer.tokenizerJson, ownTokenizer.tokenizerConfig);
      } catch (e) {
        badInput(new Error(`${start ? `adapter ${start.info.label}` : 'checkpoint'} tokenizer.json: ${(e as Error).message}`));
      }
      if (tokenizer.size > checkpoint.config.vocab_size) badInput(`${start ? `adapter ${start.info.label}` : 'checkpoint'} tokenizer.json has ${tokenizer.size} pieces but the model's vocab_size is ${checkpoint.config.vocab_size}: it belongs to another base`);
      tokenizerFiles = ownTokenizer;
    }
    let data: PreparedData;
    try {
      data = prepareRunData(spec.data.rows, tokenizer, { ...tokenizerFiles, vocabSize: checkpoint.config.vocab_size }, config);
    } catch (e) {
      badInput(new Error(`run data ${spec.data.name ?? ''}: ${(e as Error).message}`));
    }
    const memory = this.memoryPlan(checkpoint, config, data);
    const steps = plannedSteps(config, data.train.length);
    const estimate = estimateMemory(checkpoint.config, { batch: config.batchSize, inputLength: data.longestInput, targetLength: data.longestTarget, method: config.method, loraRank: config.lora.rank, loraTargets: config.lora.targets, doubleQuant: config.doubleQuant });
    const tokenRows = new Set([...data.addedTokenIds, ...(start?.info.tokenIds ?? [])]).size;
    const tokenRowParams = config.method === 'full' ? 0 : tokenRows * checkpoint.config.d_model * (checkpoint.config.tie_word_embeddings ? 1 : 2);
    const plan: RunPlan = {
      config, data: data.report, memory,
      stepsPerEpoch: Math.ceil(Math.ceil(data.train.length / config.batchSize) / config.gradAccum),
      totalSteps: steps,
      trainableParams: estimate.trainableParams + tokenRowParams,
      // As PEFT counts "all params": LoRA/QLoRA add their adapters and trainable token rows to the base's.
      totalParams: estimate.totalParams + (config.method === 'full' ? 0 : estimate.trainableParams + tokenRowParams),
    };
    return { config, checkpoint, source, data, plan, start };
  }

  private memoryPlan(checkpoint: LoadedCheckpoint, config: RunConfig, data: PreparedData): RunMemoryPlan {
    const c = checkpoint.config;
    const limits = this.gpu.info.limits;
    // Rows per pass: both DSS tasks' rows when they run as one pass (as the Trainer sizes its records).
    const bothTasks = effectiveMix(config, data.report) < 1;
    const rows = dssPassBatch(limits, { batch: config.batchSize, targetLength: data.longestTarget, vocab: c.vocab_size }, bothTasks);
    const e = estimateMemory(c, { batch: rows, inputLength: data.longestInput, targetLength: data.longestTarget, method: config.method, loraRank: config.lora.rank, loraTargets: config.lora.targets, doubleQuant: config.doubleQuant });
    const largest = largestTrainingBuffer(c, { batch: rows, targetLength: data.longestTarget });
    const plan: RunMemoryPlan = {
      estimate: { weights: e.weights, grads: e.grads, optimizer: e.optimizer, activations: e.activations, total: e.total },
      maxBufferSize: limits.maxBufferSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      largestBuffer: largest,
      passes: bothTasks && rows === config.batchSize ? 2 : 1,
      sequencesPerPass: rows,
      fits: true,
    };
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    const limit = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    if (largest.bytes > limit) {
      plan.fits = false;
      plan.reason = `the largest buffer, ${largest.what}, needs ${mib(largest.bytes)} but this GPU allows ${mib(limit)} per buffer (maxBufferSize ${mib(limits.maxBufferSize)}, maxStorageBufferBindingSize ${mib(limits.maxStorageBufferBindingSize)}); lower the batch size or the max target length`;
    }
    return plan;
  }

  async planRun(spec: RunSpec): Promise<RunPlan> {
    return (await this.prepare(spec)).plan;
  }

  // ---- running ----

  async startRun(spec: RunSpec, onEvent?: (e: RunEvent) => void): Promise<RunRecord> {
    const store = this.runStore;
    if (this.active) throw new EngineError('busy', `run ${this.active.id} is training; pause or cancel it first`);
    const id = spec.id ? checkRunId(spec.id) : `${Date.now().toString(36)}-${(++this.runs).toString(36)}`;
    const active: Active = { id, stop: null };
    this.active = active; // taken before any await, so a second start is refused at once
    let release: (() => void) | null = null;
    try {
      release = await this.lock(id);
      if (spec.id && (await store.getRun(id))) throw new EngineError('bad-input', `a run named ${id} already exists; resume it or choose another name`);
      const p = await this.prepare(spec);
      if (!p.plan.memory.fits) throw new EngineError('out-of-memory', `the run will not fit: ${p.plan.memory.reason}`);
      const now = Date.now();
      const described = describeSource(spec.model, p.source);
      const record: RunRecord = {
        id, name: spec.name ?? `${p.config.method} ${p.checkpoint.label} ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`,
        createdAt: now, updatedAt: now, config: p.config,
        model: { ...described.source, label: p.checkpoint.label },
        data: { name: spec.data.name, datasetId: spec.data.datasetId, datasetVersion: spec.data.datasetVersion, selection: spec.data.selection, rows: spec.data.rows.length, trainRows: p.data.train.length, evalRows: p.data.eval.length },
        status: 'running', step: 0, totalSteps: p.plan.totalSteps, epoch: 0, trainSeconds: 0, best: null, final: null, peakGpuBytes: 0,
        checkpoints: {}, plan: p.plan,
        ...(p.start ? { startedFrom: { adapter: p.start.info.label, sha256: p.start.info.sha256, base: p.start.info.baseModel, r: p.config.lora.rank, alpha: p.config.lora.alpha } } : {}),
      };
      await store.putRun(record);
      await store.putData(id, { ...spec.data, rows: spec.data.rows.map((r) => ({ ...r })) });
      const emit = this.emitter(onEvent);
      emit({ type: 'plan', runId: id, plan: p.plan });
      return await this.train(active, record, p, undefined, emit);
    } finally {
      release?.();
      if (this.active === active) this.active = null;
    }
  }

  /** Run id's lock (no-op without locks); refused as busy while another tab holds it. */
  private async lock(id: string): Promise<(() => void) | null> {
    if (!this.locks) return null;
    const release = await this.locks.acquire(id);
    if (!release) throw elsewhere(id);
    return release;
  }

  /** A stored record as this engine sees it: left "running" by no one is interrupted; locked by another tab, elsewhere. */
  private async seen(records: RunRecord[]): Promise<RunRecord[]> {
    const stale = records.filter((r) => r.status === 'running' && this.active?.id !== r.id);
    const held = stale.length > 0 && this.locks ? await this.locks.held().catch(() => new Set<string>()) : new Set<string>();
    return records.map((r) => (r.status !== 'running' || this.active?.id === r.id ? r : held.has(r.id) ? { ...r, elsewhere: true } : { ...r, status: 'interrupted' }));
  }

  async resumeRun(runId: string, onEvent?: (e: RunEvent) => void, options: { maxSteps?: number; model?: ModelSource } = {}): Promise<RunRecord> {
    const store = this.runStore;
    if (this.active) throw new EngineError('busy', `run ${this.active.id} is training; pause or cancel it first`);
    const active: Active = { id: runId, stop: null };
    this.active = active;
    let release: (() => void) | null = null;
    try {
      release = await this.lock(checkRunId(runId));
      const record = await store.getRun(checkRunId(runId));
      if (!record) throw new EngineError('not-found', `no run ${runId}`);
      const data = await store.getData(runId);
      if (!data) throw new EngineError('not-found', `run ${runId} has no data to resume from`);
      // Cut off before its first checkpoint (a lost device in epoch 1): it starts again from step 0.
      const files = (await store.loadCheckpoint(runId, 'latest')) ?? undefined;
      const model = options.model ?? reopenable(record.model);
      if (!model) throw new EngineError('bad-input', `run ${runId} trained on picked files (${record.model.label}); pick the same folder again to resume`);
      const overrides: Partial<RunConfig> = options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {};
      // A run that continued an adapter tokenizes with the adapter's tokenizer, which its checkpoints carry.
      if (record.startedFrom && !files) throw new EngineError('bad-input', `run ${runId} continued adapter ${record.startedFrom.adapter} but has no checkpoint to resume from; start it again from the adapter`);
      const own = record.startedFrom && files ? { tokenizerJson: fileText(files, 'tokenizer.json'), tokenizerConfig: JSON.parse(fileText(files, 'tokenizer_config.json')) as Record<string, unknown> } : undefined;
      const p = await this.prepare({ config: record.config, model, data }, overrides, own);
      const state = files ? (JSON.parse(fileText(files, 'state.json')) as { step: number }) : { step: 0 };
      if (state.step >= p.plan.totalSteps) throw new EngineError('bad-input', `run ${runId} is at step ${state.step} of ${p.plan.totalSteps}; give a larger max steps to train on`);
      // Metrics written after the checkpoint (a crash, a lost device) are redone by the resume.
      await store.truncateMetrics(runId, state.step);
      const resumed: RunRecord = { ...record, config: p.config, totalSteps: p.plan.totalSteps, plan: p.plan, status: 'running', error: undefined, updatedAt: Date.now() };
      await store.putRun(resumed);
      const emit = this.emitter(onEvent);
      emit({ type: 'plan', runId, plan: p.plan });
      return await this.train(active, resumed, p, files, emit);
    } finally {
      release?.();
      if (this.active === active) this.active = null;
    }
  }

  /** onEvent may throw or belong to a page that went away: events are advisory and never break a run. */
  private emitter(onEvent?: (e: RunEvent) => void): (e: RunEvent) => void {
    return (e) => {
      try {
        void Promise.resolve(onEvent?.(e)).catch(() => undefined);
      } catch {
        // ignored
      }
    };
  }

  private async train(active: Active, record: RunRecord, p: Prepared, resume: FileRecord | undefined, emit: (e: RunEvent) => void): Promise<RunRecord> {
    const store = this.runStore;
    const id = record.id;
    const status = (s: RunStatus | 'tuning' | 'evaluating' | 'saving', message?: string) => emit({ type: 'status', runId: id, status: s, message });
    const put = async (patch: Partial<RunRecord>) => {
      Object.assign(record, patch, { updatedAt: Date.now() });
      await store.putRun(record);
    };
    let trainer: Trainer | null = null;
    this.deviceLost = null;
    try {
      status('running', resume ? 'loading the model and the latest checkpoint' : 'loading the model');
      trainer = await Trainer.create({ gpu: this.gpu, checkpoint: p.checkpoint, config: p.config, data: p.data, resume, totalSteps: p.plan.totalSteps, start: p.start?.files }).catch((e: unknown) => {
        // The adapter's weights meet the base only here: a mismatch is the input's fault, not the engine's.
        throw p.start && !resume && !(e instanceof EngineError) && errorKind(e) === 'internal' ? new EngineError('bad-input', `adapter ${p.start.info.label}: ${(e as Error).message}`) : e;
      });
      const t = trainer;
      let tuned = false;
      let lastLoss: number | null = null;
      let lastEval: number | null = null;
      let finished: 'done' | null = null;
      const save = async (name: CheckpointName, evalLoss: number | null) => {
        status('saving', `checkpoint ${name}`);
        const files = await t.checkpointFiles();
        if (p.config.method !== 'full') Object.assign(files, await this.adapterFiles(t, record, p));
        await store.saveCheckpoint(id, name, files);
        const info: CheckpointInfo = { step: t.state.step, epoch: t.epochProgress(), evalLoss, savedAt: Date.now() };
        await put({ checkpoints: { ...record.checkpoints, [name]: info } });
        emit({ type: 'checkpoint', runId: id, name, info });
      };
      const evaluate = async (): Promise<{ stop: boolean }> => {
        status('evaluating');
        const e: EvalLosses | null = await t.evaluate();
        if (!e) return { stop: false };
        const row: EvalMetrics = { kind: 'eval', step: t.state.step, epoch: t.epochProgress(), eval_loss: e.total, eval_loss_label: e.label, eval_loss_rationale: e.rationale };
        await this.metric(id, row, emit);
        lastEval = e.total;
        const { best, stop } = t.recordEval(e);
        await put({ best: t.state.best });
        if (best) await save('best', e.total);
        return { stop };
      };
      // Step 0 of a continued adapter is a checkpoint too: a resume before the first epoch ends starts from the adapter.
      if (p.start && !resume) await save('latest', null);
      while (!t.done) {
        if (active.stop) break;
        if (this.deviceLost) throw new EngineError('device-lost', `the GPU device was lost: ${this.deviceLost}`);
        const { metrics, epochEnded } = await t.trainStep();
        if (!tuned) {
          // Kernel variants of the shapes just seen are timed once, before the timed steps count.
          tuned = true;
          status('tuning');
          try {
            await autotunerFor(this.gpu).tunePending();
          } catch (e) {
            console.warn('autotune trials failed; keeping the default kernel variants', e);
          }
          status('running');
        }
        lastLoss = metrics.loss;
        await this.metric(id, metrics, emit);
        await put({
          step: t.state.step, epoch: metrics.epoch, trainSeconds: t.state.elapsed, peakGpuBytes: Math.max(record.peakGpuBytes, metrics.gpu_peak_bytes),
          ...(t.state.skippedSteps > 0 ? { skippedSteps: t.state.skippedSteps } : {}),
        });
        if (t.diverged) throw new EngineError('bad-input', divergedMessage(t, metrics, record.checkpoints.latest?.step ?? null));
        if (epochEnded || t.done) {
          const { stop } = await evaluate();
          if (stop) finished = 'done';
          await save('latest', lastEval);
          if (finished) break;
          if (!t.done) status('running');
        }
      }
      if (t.done) finished = 'done';
      let end: RunStatus;
      if (finished) end = 'done';
      else if (active.stop === 'pause') {
        if (record.checkpoints.latest?.step !== t.state.step) await save('latest', lastEval);
        end = 'paused';
      } else end = 'cancelled';
      await put({ status: end, final: { step: t.state.step, loss: lastLoss, eval_loss: lastEval } });
      status(end);
      return { ...record };
    } catch (e) {
      const kind = this.deviceLost ? 'device-lost' : errorKind(e);
      const error = kind === 'device-lost' && !(e instanceof EngineError) ? { kind, message: `the GPU device was lost: ${this.deviceLost ?? (e as Error).message}` } : { ...toErrorData(e), kind };
      // Resumable from the last checkpoint once the device is back or space is freed.
      const end: RunStatus = kind === 'device-lost' || kind === 'storage-full' ? 'interrupted' : 'failed';
      await put({ status: end, error }).catch(() => undefined);
      status(end, error.message);
      throw new EngineError(kind, error.message);
    } finally {
      trainer?.free();
    }
  }

  private async metric(id: string, row: MetricRow, emit: (e: RunEvent) => void): Promise<void> {
    await this.runStore.appendMetrics(id, [row]);
    emit({ type: 'metrics', runId: id, row });
  }

  /** PEFT adapter files (under adapter/) of a LoRA/QLoRA trainer, with the augmented tokenizer beside them. */
  private async adapterFiles(t: Trainer, record: RunRecord, p: Prepared): Promise<FileRecord> {
    const m = record.model;
    const baseModel = m.kind === 'hub' ? m.id : m.kind === 'folder' ? m.path : m.label;
    const best = t.state.best;
    const files = await exportAdapter(this.gpu, t.model, {
      baseModel,
      card: {
        title: `${m.label} ${p.config.method === 'qlora' ? 'QLoRA' : 'LoRA'} (${record.name})`,
        data: `${record.data.name}: ${record.data.trainRows} train rows, ${record.data.evalRows} eval rows (seed ${p.config.seed})`,
        method: `Distilling Step-by-Step, a = ${t.a}, lr ${p.config.lr}, ${p.config.schedule} schedule, batch ${p.config.batchSize}, step ${t.state.step} of ${t.totalSteps}`,
        metrics: best ? { eval_loss: best.eval_loss, eval_loss_label: best.eval_loss_label, step: best.step } : {},
        metricsOn: 'the run\'s eval split',
        ...(record.startedFrom ? { notes: continuedNote(record.startedFrom) } : {}),
      },
    });
    const out: FileRecord = {};
    for (const [name, data] of files) out[`${ADAPTER_DIR}${name}`] = data;
    out[`${ADAPTER_DIR}tokenizer.json`] = p.data.tokenizer.tokenizerJson;
    out[`${ADAPTER_DIR}tokenizer_config.json`] = `${JSON.stringify(p.data.tokenizer.tokenizerConfig ?? {}, null, 2)}\n`;
    return out;
  }

  async pauseRun(runId: string): Promise<boolean> {
    if (!this.active || this.active.id !== runId) return false;
    this.active.stop = 'pause';
    return true;
  }

  async cancelRun(runId: string): Promise<boolean> {
    if (!this.active || this.active.id !== runId) return false;
    this.active.stop = 'cancel';
    return true;
  }

  // ---- stored runs ----

  async listRuns(): Promise<RunRecord[]> {
    // A run still marked running but not training here was cut off (tab closed, process killed): resumable, unless
    // another tab holds its lock (training there).
    return this.seen(await this.runStore.listRuns());
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const r = await this.runStore.getRun(checkRunId(runId));
    return r ? (await this.seen([r]))[0] : null;
  }

  async runMetrics(runId: string): Promise<MetricRow[]> {
    return this.runStore.metrics(checkRunId(runId));
  }

  /** The rows a stored run held out for evaluation, from its own data snapshot and split. */
  async runEvalRows(runId: string): Promise<TrainingRow[]> {
    const record = await this.runStore.getRun(checkRunId(runId));
    const data = record && (await this.runStore.getData(runId));
    if (!record || !data) throw new EngineError('not-found', `no run ${runId} with stored data`);
    return runEvalRows(data.rows, record.config);
  }

  async deleteRun(runId: string): Promise<boolean> {
    if (this.active?.id === runId) throw new EngineError('busy', `run ${runId} is training; cancel it before deleting`);
    if (this.locks && (await this.locks.held()).has(runId)) throw elsewhere(runId);
    return this.runStore.deleteRun(checkRunId(runId));
  }

  async activeRun(): Promise<string | null> {
    return this.active?.id ?? null;
  }

  async exportRunAdapter(runId: string, checkpoint: 'best' | 'latest'): Promise<FileRecord> {
    const record = await this.runStore.getRun(checkRunId(runId));
    if (!record) throw new EngineError('not-found', `no run ${runId}`);
    if (record.config.method === 'full') throw new EngineError('bad-input', `run ${runId} is a full fine-tune: its checkpoints are whole Hugging Face checkpoints, not adapters`);
    const files = await this.runStore.loadCheckpoint(runId, checkpoint);
    if (!files) throw new EngineError('not-found', `run ${runId} has no ${checkpoint} checkpoint yet`);
    const out: FileRecord = {};
    for (const [name, data] of Object.entries(files)) if (name.startsWith(ADAPTER_DIR)) out[name.slice(ADAPTER_DIR.length)] = data;
    if (!out['adapter_config.json']) throw new EngineError('not-found', `run ${runId}'s ${checkpoint} checkpoint holds no adapter`);
    return out;
  }
}
