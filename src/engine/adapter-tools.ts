// Two one-off engine jobs behind the CLI's grads and merge commands, so no command assembles model + runner + step
// by hand: gradients() runs one DSS forward/backward (dropout off) and summarises every trainable gradient, keyed by
// Hugging Face names, or by PEFT names when an adapter trains on a frozen (optionally NF4) base; mergeAdapter()
// folds a PEFT adapter into its base and streams a Hugging Face checkpoint folder's files to a sink.
import type { Gpu } from '../gpu/gpu';
import type { CheckpointSource, LoadedCheckpoint } from '../io/checkpoint';
import { importAdapter, type FileMap } from '../io/peft';
import { writeExport, type ExportSink, type ExportSummary } from '../io/export-stream';
import { mergedCheckpointFiles } from '../io/merged-checkpoint';
import { mergedWeightReader } from '../model/merge';
import { parseDssBatch, type DssBatch } from '../model/batch';
import { dssCapacity, DssStep } from '../model/dss-step';
import type { T5Dims } from '../model/dims';
import type { PassShape } from '../model/records';
import { qloraLoadOptions } from '../model/qlora';
import { loadT5 } from '../model/t5-model';
import { T5Runner } from '../model/t5-runner';
import { mixLosses, taskWeights } from '../train/mix';
import { fileText } from '../train/run-files';
import type { MergeProgress, ModelSource } from './api';
import { badInput } from './errors';
import type { OpenModel } from './evaluation';
import { readCheckpoint } from './loaded-model';
import type { FileRecord } from './run-api';

export interface GradSummary {
  shape: number[];
  norm: number;
  sum: number;
  first: number[];
}

export interface GradsReport {
  loss_label: number;
  loss_rationale: number | null;
  loss_total: number;
  grads: Record<string, GradSummary>;
}

export interface GradsSpec {
  model: ModelSource;
  /** BATCH.json: a DSS batch plus the mix ("alpha") it is scored with. */
  batch: unknown;
  /** Where the batch came from, for messages. */
  batchLabel?: string;
  /** PEFT adapter files: the adapter trains on a frozen base. */
  adapter?: FileRecord;
  /** Store the frozen base as NF4 as QLoRA does (needs adapter). */
  nf4?: boolean;
  /** With nf4: double-quantize absmax. */
  doubleQuant?: boolean;
}

export interface MergeSpec {
  model: ModelSource;
  adapter: FileRecord;
  dtype?: 'F32' | 'F16' | 'BF16';
}

export function summarize(shape: readonly number[], values: Float32Array): GradSummary {
  let sq = 0;
  let s = 0;
  for (const v of values) {
    sq += v * v;
    s += v;
  }
  return { shape: [...shape], norm: Math.sqrt(sq), sum: s, first: Array.from(values.subarray(0, 8)) };
}

/** The capacity a batch needs: its own shape, both tasks' rows in one pass where the device allows (dssCapacity). */
export function batchCapacity(gpu: Gpu, dims: T5Dims, batch: DssBatch): PassShape {
  const tasks = [batch.label, ...(batch.rationale ? [batch.rationale] : [])];
  const shape = {
    B: Math.max(...tasks.map((t) => t.input_ids.length)),
    Tin: Math.max(...tasks.map((t) => t.input_ids[0]?.length ?? 0)),
    Tout: Math.max(...tasks.map((t) => t.labels[0]?.length ?? 0)),
  };
  return dssCapacity(gpu, dims, shape, tasks.length === 2);
}

const adapterMap = (files: FileRecord): FileMap => new Map(Object.entries(files));


export class AdapterTools {
  constructor(
    private readonly gpu: Gpu,
    private readonly open: OpenModel,
  ) {}

  private async checkpoint(model: ModelSource): Promise<{ checkpoint: LoadedCheckpoint; source: CheckpointSource }> {
    try {
      const source = this.open(model, new AbortController().signal);
      return { checkpoint: (await readCheckpoint(source, () => undefined)).checkpoint, source };
    } catch (e) {
      return badInput(e);
    }
  }

  async gradients(spec: GradsSpec): Promise<GradsReport> {
    if (spec.nf4 && !spec.adapter) badInput(new Error('--nf4 needs --adapter: QLoRA trains an adapter on the NF4 base'));
    if (spec.doubleQuant && !spec.nf4) badInput(new Error('--double-quant needs --nf4'));
    let batch: ReturnType<typeof parseDssBatch>;
    try {
      batch = parseDssBatch(spec.batch, spec.batchLabel ?? 'batch');
    } catch (e) {
      return badInput(e);
    }
    const { checkpoint } = await this.checkpoint(spec.model);
    const quant = spec.nf4 ? qloraLoadOptions({ doubleQuant: !!spec.doubleQuant }) : {};
    // NF4 products stay f32 here (the model's default): this job is compared against float PyTorch.
    const model = await loadT5(this.gpu, checkpoint.config, (name) => checkpoint.readTensor(name), { trainBase: !spec.adapter, ...quant });
    let runner: T5Runner | null = null;
    let step: DssStep | null = null;
    try {
      if (spec.adapter) await importAdapter(this.gpu, model, adapterMap(spec.adapter), { trainable: true }).catch(badInput);
      runner = new T5Runner(this.gpu, model.dims, model.params, batchCapacity(this.gpu, model.dims, batch));
      step = new DssStep(this.gpu, model, runner);
      // BATCH.json carries the mix a ("alpha") this one-off step is scored with; a training run takes it from RunConfig.
      const losses = mixLosses(batch.alpha, await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) }));
      const grads: Record<string, GradSummary> = {};
      for (const p of model.params.trainable()) grads[p.name] = summarize(p.shape, await this.gpu.readF32(p.grad!));
      return { loss_label: losses.label, loss_rationale: losses.rationale, loss_total: losses.total, grads };
    } finally {
      step?.free();
      runner?.free();
      model.params.free();
    }
  }

  async mergeAdapter(spec: MergeSpec, sink: ExportSink, onProgress?: (p: MergeProgress) => void): Promise<ExportSummary> {
    const dtype = spec.dtype ?? 'F32';
    if (!['F32', 'F16', 'BF16'].includes(dtype)) badInput(new Error(`--dtype must be one of F32, F16, BF16, got ${dtype}`));
    const { checkpoint, source } = await this.checkpoint(spec.model);
    const model = await loadT5(this.gpu, checkpoint.config, (name) => checkpoint.readTensor(name), { trainBase: false });
    try {
      await importAdapter(this.gpu, model, adapterMap(spec.adapter), { trainable: false }).catch(badInput);
      const tokenizerFiles: FileMap = new Map();
      const listed = new Set(await source.list());
      for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) if (listed.has(f)) tokenizerFiles.set(f, await source.text(f));
      // An adapter trained with added characters carries its tokenizer: the merged folder needs that one.
      const own = spec.adapter['tokenizer.json'];
      const tokenizerJson = own === undefined ? checkpoint.tokenizerJson : fileText(spec.adapter, 'tokenizer.json');
      const ownConfig = spec.adapter['tokenizer_config.json'];
      if (ownConfig !== undefined) tokenizerFiles.set('tokenizer_config.json', ownConfig);
      const files = mergedCheckpointFiles(model.config, mergedWeightReader(this.gpu, model), { tokenizerJson, tokenizerFiles, dtype });
      return await writeExport(files, sink, (done, total, file) => onProgress?.({ stage: 'write', done, total, file }));
    } finally {
      model.params.free();
    }
  }
}
