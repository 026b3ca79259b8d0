import { autotunerFor } from '../gpu/autotune';
import type { Gpu } from '../gpu/gpu';
import { add } from '../gpu/kernels/add';
import type { AnswerWith, EngineApi, ExportSink, ExportSummary, GenerateRequestOptions, LoadReport, MergeProgress, ModelSource, ModelSummary, RayExportOptions, RayExportSource, SelfTestResult, StoredEvaluation, StreamRequestOptions, StreamResult, StreamUpdate } from './api';
import { AnswerModels } from './answer-models';
import type { GpuErrorReport } from '../gpu/errors';
import { EngineError } from './errors';
import { CANCELLED, LoadedModel, abortableSource, readCheckpoint } from './loaded-model';
import { type HubSettings, type SourceOpener, commonOpener, describeSource, openSource } from './model-sources';
import type { FileRecord, MetricRow, RunEvent, RunPlan, RunRecord, RunSpec, TrainingRow } from './run-api';
import type { RunLocks } from './run-locks';
import type { RunStore } from './run-store';
import { RunManager } from './runs';
import type { RayTemplates } from '../ray/templates';
import { exportRayBundle } from './ray-export';
import { Evaluator, type EvalReport, type EvalSpec } from './evaluation';
import { AdapterTools, type GradsReport, type GradsSpec, type MergeSpec } from './adapter-tools';
import { GenerationEvals, type GenerationEvalProgress, type GenerationEvalReport, type GenerationEvalRequest } from './generation-eval';
import { Streams } from './stream-generate';

export interface EngineOptions {
  /** Hub cache and fetch for hub sources (the browser worker injects Cache Storage). */
  hub?: HubSettings;
  /** Host openers tried before the common ones (Node adds folder paths). */
  openers?: SourceOpener[];
  /** Where training runs are kept (browser: IndexedDB; Node: a folder); without one the run methods refuse. */
  runStore?: RunStore;
  /** The Ray Train bundle's templates (Node: read from disk; browser: Vite's ?raw), read when first exported. */
  rayTemplates?: () => RayTemplates;
  /** Run locks shared with other tabs of the studio (browser: Web Locks); without, this engine is the only writer. */
  runLocks?: RunLocks;
}

/** Download progress is sent at most this often per file (plus the first and last report of each). */
const DOWNLOAD_REPORT_MS = 100;

/** The engine behind the worker boundary; hosts only differ in how they make the Gpu and open sources. */
export class Engine implements EngineApi {
  private errors: GpuErrorReport[] = [];
  private readonly openers: SourceOpener[];
  private current: { model: LoadedModel; summary: ModelSummary; source: ModelSource } | null = null;
  private loading: { id: string; controller: AbortController } | null = null;
  private generating = false;
  private loads = 0;
  private readonly runs: RunManager;
  private readonly evaluator: Evaluator;
  private readonly tools: AdapterTools;
  private readonly generationEvals = new GenerationEvals();
  private readonly streams = new Streams();
  private readonly answers: AnswerModels;
  private readonly runStore: RunStore | undefined;
  private readonly rayTemplates: (() => RayTemplates) | undefined;

  constructor(private readonly gpu: Gpu, options: EngineOptions = {}) {
    gpu.onError((r) => this.errors.push(r));
    this.openers = [...(options.openers ?? []), commonOpener(options.hub)];
    this.runs = new RunManager(gpu, (source, signal) => openSource(this.openers, source, { signal, onDownload: () => undefined }), options.runStore, options.runLocks);
    this.evaluator = new Evaluator(gpu, (source, signal) => openSource(this.openers, source, { signal, onDownload: () => undefined }), options.runStore);
    this.tools = new AdapterTools(gpu, (source, signal) => openSource(this.openers, source, { signal, onDownload: () => undefined }));
    this.answers = new AnswerModels(gpu, this.evaluator, options.runStore);
    this.runStore = options.runStore;
    this.rayTemplates = options.rayTemplates;
  }

  /** Eval loss per task of a model, an adapter on it or a run's checkpoint (src/engine/evaluation.ts). */
  evaluate(spec: EvalSpec): Promise<EvalReport> {
    return this.evaluator.evaluate(spec);
  }

  /** One DSS forward/backward, dropout off, every trainable gradient summarised (src/engine/adapter-tools.ts). */
  gradients(spec: GradsSpec): Promise<GradsReport> {
    return this.tools.gradients(spec);
  }

  /** A PEFT adapter folded into its base: a Hugging Face checkpoint folder's files, streamed to `sink`. */
  mergeAdapter(spec: MergeSpec, sink: ExportSink, onProgress?: (p: MergeProgress) => void): Promise<ExportSummary> {
    return this.tools.mergeAdapter(spec, sink, onProgress);
  }

  // ---- training runs (src/engine/runs.ts) ----

  planRun(spec: RunSpec): Promise<RunPlan> {
    return this.runs.planRun(spec);
  }

  startRun(spec: RunSpec, onEvent?: (e: RunEvent) => void): Promise<RunRecord> {
    return this.runs.startRun(spec, onEvent);
  }

  resumeRun(runId: string, onEvent?: (e: RunEvent) => void, options?: { maxSteps?: number; model?: ModelSource }): Promise<RunRecord> {
    return this.runs.resumeRun(runId, onEvent, options);
  }

  pauseRun(runId: string): Promise<boolean> {
    return this.runs.pauseRun(runId);
  }

  cancelRun(runId: string): Promise<boolean> {
    return this.runs.cancelRun(runId);
  }

  listRuns(): Promise<RunRecord[]> {
    return this.runs.listRuns();
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.runs.getRun(runId);
  }

  runMetrics(runId: string): Promise<MetricRow[]> {
    return this.runs.runMetrics(runId);
  }

  /** The rows a stored run held out for evaluation (its data snapshot, its split). */
  runEvalRows(runId: string): Promise<TrainingRow[]> {
    return this.runs.runEvalRows(runId);
  }

  deleteRun(runId: string): Promise<boolean> {
    return this.runs.deleteRun(runId);
  }

  activeRun(): Promise<string | null> {
    return this.runs.activeRun();
  }

  exportRunAdapter(runId: string, checkpoint: 'best' | 'latest'): Promise<FileRecord> {
    return this.runs.exportRunAdapter(runId, checkpoint);
  }

  async gpuInfo() {
    return this.gpu.info;
  }

  async memory() {
    return this.gpu.memory();
  }

  async takeErrors() {
    const taken = this.errors;
    this.errors = [];
    return taken;
  }

  async selfTest(): Promise<SelfTestResult> {
    const started = performance.now();
    const gpu = this.gpu;
    const a = gpu.upload(new Float32Array([1, 2, 3]), [3], 'f32', 'scratch', 'selftest.a');
    const b = gpu.upload(new Float32Array([10, 20, 30]), [3], 'f32', 'scratch', 'selftest.b');
    const out = gpu.tensor([3], 'f32', 'scratch', 'selftest.out');
    try {
      add(gpu, out, a, b, 2);
      const values = Array.from(await gpu.readF32(out));
      const ok = values.join(',') === '21,42,63';
      return { ok, values, millis: performance.now() - started };
    } finally {
      gpu.free(a, b, out);
    }
  }

  // ---- the loaded model ----

  async loadModel(source: ModelSource, onProgress?: (report: LoadReport) => void, loadId?: string): Promise<ModelSummary> {
    if (this.loading) throw new Error(`a model is already loading (load ${this.loading.id}); wait for it or cancel it first`);
    if (this.generating) throw new Error('the loaded model is generating; try loading again when it has finished');
    const id = loadId ?? `load-${++this.loads}`;
    const controller = new AbortController();
    const signal = controller.signal;
    this.loading = { id, controller };
    const started = performance.now();
    // A progress callback that throws (or a comlink proxy whose page went away) must not break the load.
    const send = (r: Omit<LoadReport, 'loadId'>) => {
      try {
        void Promise.resolve(onProgress?.({ loadId: id, ...r })).catch(() => undefined);
      } catch {
        // ignored: progress is advisory
      }
    };
    const downloads = new Map<string, { last: number; finished: boolean }>();
    const onDownload = ({ file, loaded, total, cached }: { file: string; loaded: number; total: number | undefined; cached: boolean }) => {
      const now = performance.now();
      const seen = downloads.get(file);
      const finished = total !== undefined && loaded >= total;
      if (!seen) downloads.set(file, { last: now, finished });
      else if (!finished && now - seen.last < DOWNLOAD_REPORT_MS) return;
      else Object.assign(seen, { last: now, finished });
      const done = [...downloads.values()].filter((d) => d.finished).length;
      send({ stage: 'download', file, loadedBytes: loaded, totalBytes: total, done, total: downloads.size, cached });
    };
    try {
      const raw = openSource(this.openers, source, { signal, onDownload });
      const { checkpoint, tokenizer } = await readCheckpoint(abortableSource(raw, signal), send);
      // The new checkpoint is readable: only now give up the old model, so a bad pick leaves it loaded.
      this.unloadNow();
      const model = await LoadedModel.upload(this.gpu, checkpoint, tokenizer, signal, send);
      if (signal.aborted) {
        model.free();
        throw new Error(CANCELLED);
      }
      const storedDtypes: Record<string, number> = {};
      for (const s of checkpoint.specs) {
        const d = checkpoint.dtypeOf(s.name);
        storedDtypes[d] = (storedDtypes[d] ?? 0) + 1;
      }
      const summary: ModelSummary = {
        ...describeSource(source, raw),
        label: checkpoint.label,
        config: checkpoint.config,
        parameterCount: model.parameterCount,
        bytesOnGpu: model.bytesOnGpu,
        bytesOnGpuTotal: Object.values(model.bytesOnGpu).reduce((a, b) => a + b, 0),
        tokenizerVocabSize: tokenizer.size,
        storedDtypes,
        ignoredTensors: checkpoint.ignored,
        loadMillis: performance.now() - started,
      };
      this.current = { model, summary, source };
      return summary;
    } catch (e) {
      // An aborted fetch surfaces as a network error: say what really happened.
      if (signal.aborted) throw new Error(CANCELLED);
      throw e instanceof Error ? e : new Error(String(e));
    } finally {
      this.loading = null;
    }
  }

  async cancelLoad(loadId: string): Promise<boolean> {
    if (!this.loading || this.loading.id !== loadId) return false;
    this.loading.controller.abort();
    return true;
  }

  async unloadModel(): Promise<boolean> {
    if (this.generating) throw new Error('the loaded model is generating; unload it when it has finished');
    return this.unloadNow();
  }

  async loadedModel(): Promise<ModelSummary | null> {
    return this.current?.summary ?? null;
  }

  async generate(texts: string[], options: GenerateRequestOptions): Promise<string[]> {
    if (this.loading) throw new Error('a model is loading; generate when it has finished');
    if (!this.current) throw new Error('no model is loaded: load one on the Models page first');
    if (this.generating) throw new Error('already generating; wait for the previous request');
    this.generating = true;
    try {
      const out = await this.current.model.generate(texts, options);
      await this.tune();
      return out;
    } finally {
      this.generating = false;
    }
  }

  /**
   * Generate labels (and rationales) of rows with the loaded model and score them: exact match, JSON and Query DSL
   * validity, BLEU/TER, rationale BLEU, per sample with a JSON diff (src/engine/generation-eval.ts, src/eval).
   */
  async evaluateGeneration(request: GenerationEvalRequest, onProgress?: (p: GenerationEvalProgress) => void): Promise<GenerationEvalReport> {
    this.checkCanAnswer(request?.answerWith);
    this.generating = true;
    try {
      const what = request.answerWith;
      const answer = (await this.answers.get(what, this.loadedBase())) ?? this.current!.model;
      const report = await this.generationEvals.run(this.gpu, answer, request, onProgress);
      if (what?.kind === 'run' && this.runStore?.addEvaluation) {
        const record = await this.runStore.getRun(what.runId);
        await this.runStore.addEvaluation(what.runId, {
          at: Date.now(), runId: what.runId, checkpoint: what.checkpoint, step: record?.checkpoints[what.checkpoint]?.step ?? null,
          dataset: request.dataset ?? null, report,
        });
      }
      return report;
    } finally {
      this.generating = false;
    }
  }

  async generateStream(text: string, options: StreamRequestOptions, onUpdate?: (u: StreamUpdate) => void, genId?: string): Promise<StreamResult> {
    this.checkCanAnswer(options?.answerWith);
    this.generating = true;
    try {
      const answer = (await this.answers.get(options.answerWith, this.loadedBase())) ?? this.current!.model;
      return await this.streams.run(this.gpu, answer, text, options, onUpdate, genId);
    } finally {
      this.generating = false;
    }
  }

  /** The generation evaluations kept with a run (newest first). */
  async runEvaluations(runId: string): Promise<StoredEvaluation[]> {
    if (!this.runStore) throw new EngineError('internal', 'this engine was made without a run store');
    return (await this.runStore.evaluations?.(runId)) ?? [];
  }

  /** A run checkpoint or an imported adapter folded into its base, as Hugging Face checkpoint files streamed to `sink`. */
  async exportMergedModel(what: Exclude<AnswerWith, { kind: 'loaded' }>, sink: ExportSink, onProgress?: (p: MergeProgress) => void): Promise<ExportSummary> {
    if (this.loading) throw new EngineError('busy', 'a model is loading; export when it has finished');
    if (this.generating) throw new EngineError('busy', 'the engine is generating; export when it has finished');
    this.generating = true;
    try {
      return await this.answers.merged(what, this.loadedBase(), sink, onProgress);
    } finally {
      this.generating = false;
    }
  }

  /** A run or a sweep as a Ray Train job bundle (src/engine/ray-export.ts): the CLI's export-ray files. */
  exportRayBundle(what: RayExportSource, options?: RayExportOptions): Promise<FileRecord> {
    const open = (source: ModelSource) => openSource(this.openers, source, { signal: new AbortController().signal, onDownload: () => undefined });
    const loaded = this.current ? { source: this.current.source, label: this.current.summary.label } : null;
    return exportRayBundle({ store: this.runStore, open, templates: this.rayTemplates, loaded }, what, options);
  }

  private loadedBase() {
    return this.current ? { source: this.current.source, summary: this.current.summary } : null;
  }

  /** Refuses while loading or generating, and the loaded model when none is (a run checkpoint needs none). */
  private checkCanAnswer(what: AnswerWith | undefined): void {
    if (this.loading) throw new EngineError('busy', 'a model is loading; generate when it has finished');
    if (this.generating) throw new EngineError('busy', 'already generating; wait for the previous request');
    if ((!what || what.kind === 'loaded') && !this.current) throw new EngineError('not-found', 'no model is loaded: load one on the Models page first');
  }

  async stopGeneration(genId: string): Promise<boolean> {
    return this.streams.stop(genId);
  }

  /** Stop a running evaluateGeneration at its next token step (it rejects with kind 'cancelled'). */
  async cancelGenerationEval(evalId: string): Promise<boolean> {
    return this.generationEvals.cancel(evalId);
  }

  /**
   * Time the kernel variants of shapes first seen in the work just done (autotune trials are queued on first use
   * and can only run between pieces of work). A failed trial or save only costs the tuning, never the result.
   */
  private async tune(): Promise<void> {
    try {
      await autotunerFor(this.gpu).tunePending();
    } catch (e) {
      console.warn('autotune trials failed; keeping the default kernel variants', e);
    }
  }

  private unloadNow(): boolean {
    // An answer model built on the old base would outlive it.
    this.answers.free();
    if (!this.current) return false;
    this.current.model.free();
    this.current = null;
    return true;
  }
}
