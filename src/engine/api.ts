// The engine's interface: implemented in-thread by Engine (tests, CLI) and proxied by comlink in the
// browser worker. Only plain data crosses it; GPU objects stay where the device lives.
import type { ByCategory, MemoryStats } from '../settings/memory';
import type { GpuInfo } from '../gpu/device';
import type { GpuErrorReport } from '../gpu/errors';
import type { PathedFile } from '../io/browser-files-source';
import type { ExportChunk, ExportSink, ExportSummary } from '../io/export-stream';
import type { T5Config } from '../model/config';
import type { EvalOptions, EvalProgress, EvalReport, EvalRow } from '../eval/runner';
import type { RunConfig } from '../settings/run-config';
import type { FileRecord, RunApi, RunData } from './run-api';

// Types the studio reads through this door rather than from the layers that define them (docs/architecture.md).
export type { ExportChunk, ExportSink, ExportSummary, GpuInfo, PathedFile, T5Config };

export interface SelfTestResult {
  ok: boolean;
  /** What the add kernel returned for [1,2,3] + 2*[10,20,30]. */
  values: number[];
  millis: number;
}

/**
 * Where a checkpoint comes from. 'files' carries each File with its folder-relative path ("flan/config.json"),
 * because a File's webkitRelativePath does not survive the copy into the worker. 'folder' is a path on disk and
 * works only where the host injects a folder opener (Node: createNodeEngine).
 */
export type ModelSource =
  | { kind: 'hub'; id: string; baseUrl?: string; revision?: string }
  | { kind: 'files'; files: PathedFile[]; label?: string }
  | { kind: 'folder'; path: string };

/** A ModelSource as plain, File-free data (what a summary says the model came from). */
export type SourceDescription =
  | { kind: 'hub'; id: string; baseUrl: string; revision: string }
  | { kind: 'files'; label: string; fileCount: number }
  | { kind: 'folder'; path: string };

/**
 * Progress of one load. Stages in order: 'download' (hub bytes of one file; cached files report loaded = total at
 * once), 'read' (checkpoint files parsed: config, tokenizer, safetensors headers), 'upload' (tensors copied to the
 * GPU one by one). loadedBytes/totalBytes count the current file ('download') or all weights ('upload'); done/total
 * count steps of the stage: files finished of files started ('download'), files read ('read'), tensors ('upload').
 */
export interface LoadReport {
  loadId: string;
  stage: 'download' | 'read' | 'upload';
  /** File name, or the parameter's HF name while uploading. */
  file: string;
  loadedBytes: number;
  /** undefined when a server sends no Content-Length. */
  totalBytes: number | undefined;
  done: number;
  total: number;
  /** true when the file came from the hub cache without a request. */
  cached: boolean;
}

export interface ModelSummary {
  /** Hub id, picked folder name or folder path. */
  id: string;
  /** Names the checkpoint in messages ("hub google/flan-t5-small"). */
  label: string;
  source: SourceDescription;
  config: T5Config;
  parameterCount: number;
  /** Bytes the model's tensors hold on the GPU by category: measured from the buffer pool around the upload. */
  bytesOnGpu: ByCategory;
  bytesOnGpuTotal: number;
  /** Pieces in tokenizer.json, added tokens included (may be below config.vocab_size). */
  tokenizerVocabSize: number;
  /** Parameters per stored safetensors dtype, e.g. { F32: 132 }. */
  storedDtypes: Record<string, number>;
  /** Stored tensors not used (tied duplicates, old cross-attention bias). */
  ignoredTensors: string[];
  loadMillis: number;
}

export interface GenerateRequestOptions {
  /** 1..512 */
  maxNewTokens: number;
  /** 1 = greedy; 2..8 = beam search. */
  numBeams?: number;
}

/**
 * What answers a generation or an evaluation: the loaded model, a run's checkpoint (a LoRA/QLoRA adapter on the
 * run's base, or a full fine-tune's weights), or an imported PEFT adapter on the loaded model (its base).
 */
export type AnswerWith =
  | { kind: 'loaded' }
  | { kind: 'run'; runId: string; checkpoint: 'best' | 'latest' }
  | { kind: 'adapter'; /** Names the adapter (its IndexedDB key): the engine keeps the built model by it. */ id: string; label: string; files: FileRecord };

/** What evaluateGeneration scores: rows (the eval split, say) and how to generate. */
export interface GenerationEvalRequest {
  /** Names the evaluation for cancelGenerationEval. */
  evalId?: string;
  rows: EvalRow[];
  options?: EvalOptions;
  /** Default: the loaded model. A run's checkpoint keeps the result with the run (runEvaluations). */
  answerWith?: AnswerWith;
  /** The dataset's name and eval-split size, kept with a run's stored result. */
  dataset?: { name: string; evalRows: number };
}

/** A generation evaluation of a run checkpoint, kept with the run (eval-<checkpoint>.json in its folder). */
export interface StoredEvaluation {
  at: number;
  runId: string;
  checkpoint: 'best' | 'latest';
  /** The checkpoint's step when it was evaluated (latest moves on as a run trains). */
  step: number | null;
  dataset: { name: string; evalRows: number } | null;
  report: EvalReport;
}

/**
 * Progress of a merged export: building the model (done/total 0/1, then 1/1), then writing, where done counts the
 * bytes the sink has accepted out of all the files' total and `file` is the one being written (each weight is
 * folded just before it is written).
 */
export interface MergeProgress {
  stage: 'build' | 'write';
  done: number;
  total: number;
  file?: string;
}

/** What a Ray Train job bundle is built from: a stored run, or a sweep's configurations over one dataset. */
export type RayExportSource =
  | { kind: 'run'; runId: string }
  | { kind: 'sweep'; name: string; data: RunData; configurations: { id: string; model: ModelSource; config: Partial<RunConfig> }[] };

/** The cluster a Ray Train job asks for (defaults: 1 worker, 1 GPU, Ray's GPU image) and what it loads. */
export interface RayExportOptions {
  workers?: number;
  gpusPerWorker?: number;
  image?: string;
  storagePath?: string;
  workingDir?: string;
  /** What the cluster loads: default the run's hub id or folder path. */
  baseModel?: string;
}

export type GenerationEvalProgress = EvalProgress & { evalId: string };
export type GenerationEvalReport = EvalReport;

/** generateStream's options: GenerateRequestOptions plus the JSON constraint. */
export interface StreamRequestOptions extends GenerateRequestOptions {
  /** Default: the loaded model. */
  answerWith?: AnswerWith;
  /** Only tokens that keep the output a JSON prefix, closed within maxNewTokens: the output always parses. */
  jsonConstrained?: boolean;
}

/** The text so far of a streamed generation (the best beam's, with beam search). */
export interface StreamUpdate {
  genId: string;
  text: string;
  tokens: number;
}

export interface StreamResult extends StreamUpdate {
  /** </s> was written (not cut off at maxNewTokens, not stopped). */
  finished: boolean;
  /** stopGeneration ended it; text is what was written until then. */
  stopped: boolean;
  millis: number;
}

/** The model methods and the training-run methods (run-api.ts), one interface for the worker, the CLI and tests. */
export interface EngineApi extends RunApi {
  gpuInfo(): Promise<GpuInfo>;
  memory(): Promise<MemoryStats>;
  /** Run one tiny kernel end to end, so the studio can prove compute works. */
  selfTest(): Promise<SelfTestResult>;
  /** GPU errors since the last call, each naming its program. */
  takeErrors(): Promise<GpuErrorReport[]>;
  /**
   * Load a checkpoint and make it the one loaded model (frozen weights, inference only); the previous model is
   * freed once the new checkpoint's files have been read and checked, so a bad folder leaves it loaded.
   * loadId names the load for cancelLoad (AbortSignals cannot cross comlink); one load at a time.
   */
  loadModel(source: ModelSource, onProgress?: (report: LoadReport) => void, loadId?: string): Promise<ModelSummary>;
  /** Abort a running load: it rejects with "load cancelled" and frees what it had uploaded. false if none ran. */
  cancelLoad(loadId: string): Promise<boolean>;
  /** Free the loaded model's GPU memory. false when none was loaded. */
  unloadModel(): Promise<boolean>;
  /** The loaded model's summary, or null. */
  loadedModel(): Promise<ModelSummary | null>;
  /** Decoded generations of the loaded model, one per text (greedy or beam search, KV cache). */
  generate(texts: string[], options: GenerateRequestOptions): Promise<string[]>;
  /** One text generated token by token; onUpdate gets the decoded text after every step. One at a time. */
  generateStream(text: string, options: StreamRequestOptions, onUpdate?: (u: StreamUpdate) => void, genId?: string): Promise<StreamResult>;
  /**
   * Generate each row's label (and rationale) with the loaded model and score them: exact match, JSON and Query DSL
   * validity, BLEU/TER, rationale BLEU, and per sample a JSON diff. Progress per batch (and within, at most 4/s).
   */
  evaluateGeneration(request: GenerationEvalRequest, onProgress?: (p: GenerationEvalProgress) => void): Promise<GenerationEvalReport>;
  /** Stop an evaluateGeneration at its next token step (it rejects with kind 'cancelled'). */
  cancelGenerationEval(evalId: string): Promise<boolean>;
  /** End a streamed generation at its next step (it resolves with stopped: true). false when none runs by that id. */
  stopGeneration(genId: string): Promise<boolean>;
  /** The generation evaluations kept with a run, newest first. */
  runEvaluations(runId: string): Promise<StoredEvaluation[]>;
  /**
   * A Hugging Face checkpoint (config.json, model.safetensors, tokenizer files) of a run checkpoint or an imported
   * adapter with the adapter folded into its base; a full fine-tune's weights as they are. The files stream through
   * `sink` one chunk at a time (model.safetensors: its header, then one weight per chunk as it is folded), each
   * awaited before the next; a sink that throws stops the export (the way to cancel it) and the call rejects with
   * that error. Through the worker each chunk's buffer is transferred, not copied.
   */
  exportMergedModel(what: Exclude<AnswerWith, { kind: 'loaded' }>, sink: ExportSink, onProgress?: (p: MergeProgress) => void): Promise<ExportSummary>;
  /**
   * A run (or each configuration of a sweep, one folder each) as a Ray Train job: the files `stepwise export-ray`
   * writes, byte for byte (data split with token ids, tokenizer, run.json, Python, requirements, RayJob, README).
   */
  exportRayBundle(what: RayExportSource, options?: RayExportOptions): Promise<FileRecord>;
}
