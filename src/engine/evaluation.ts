// The engine's evaluate(): the DSS eval loss per task of a model (a base checkpoint, with a PEFT adapter or a run's
// checkpoint) on rows split as a run splits them. It builds the model the way the run trained it (NF4 base for QLoRA,
// the adapter's trainable token rows, the run's augmented tokenizer) and scores exactly as Trainer.evaluate does:
// batches of batchSize in split order, dropout off, token-weighted means, total = a * label + (1 - a) * rationale.
import type { Gpu } from '../gpu/gpu';
import { memoryCheckpointSource, type LoadedCheckpoint } from '../io/checkpoint';
import { importAdapter, type FileMap } from '../io/peft';
import { DssStep } from '../model/dss-step';
import { selectNf4Compute } from '../model/nf4-compute';
import { qloraLoadOptions } from '../model/qlora';
import { loadT5, type T5Model } from '../model/t5-model';
import { T5Runner } from '../model/t5-runner';
import { createTextTokenizer, type T5Tokenizer } from '../model/tokenizer';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { effectiveMix, prepareRunData } from '../train/run-data';
import { runPassShape, scoreExamples } from '../train/trainer';
import type { ModelSource } from './api';
import { EngineError } from './errors';
import { readCheckpoint } from './loaded-model';
import type { FileRecord, RunData, RunDataReport } from './run-api';
import { checkRunId, type RunStore } from './run-store';
import type { CheckpointSource } from '../io/checkpoint';

/** Opens a model source (the engine's openers). */
export type OpenModel = (source: ModelSource, signal: AbortSignal) => CheckpointSource;

export type EvalSplit = 'eval' | 'train' | 'all';

/** Settings that change what is scored (the rest of RunConfig does not matter to an evaluation). */
export const EVAL_SETTINGS = ['a', 'batchSize', 'seed', 'evalFraction', 'maxInputLength', 'maxTargetLength', 'method', 'doubleQuant'] as const;
export type EvalSettings = Partial<Pick<RunConfig, (typeof EVAL_SETTINGS)[number]>>;

export interface EvalSpec {
  /** The base checkpoint (a full fine-tune's run checkpoint replaces it). */
  model: ModelSource;
  /** PEFT adapter files (adapter_config.json, adapter_model.safetensors, optional tokenizer.json/tokenizer_config.json). */
  adapter?: FileRecord;
  /** A run of this engine's store and which checkpoint: its weights, tokenizer and settings. */
  run?: { id: string; checkpoint: 'best' | 'latest' };
  data: RunData;
  split: EvalSplit;
  /** Over the run's settings (or the defaults): method 'qlora' loads the base as NF4, as the run trained it. */
  settings?: EvalSettings;
}

/** What buildModel builds: a base, with an adapter or a run's checkpoint (EvalSpec less the data). */
export type ModelSpec = Pick<EvalSpec, 'model' | 'adapter' | 'run' | 'settings'>;

export interface BuiltModel {
  model: T5Model;
  tokenizer: T5Tokenizer;
  /** The tokenizer's files (the adapter's augmented ones when it has them). */
  tokenizerFiles: { tokenizerJson: string; tokenizerConfig: Record<string, unknown> | undefined; vocabSize: number };
  config: RunConfig;
  checkpoint: LoadedCheckpoint;
  /** The run checkpoint's step, when built from a run. */
  runStep: number | null;
  adapter: boolean;
}

export interface EvalReport {
  split: EvalSplit;
  /** Rows scored (the split's share of the usable rows). */
  rows: number;
  eval_loss: number;
  eval_loss_label: number;
  eval_loss_rationale: number | null;
  /** The mix used (1 when no row has a rationale). */
  a: number;
  model: string;
  adapter: boolean;
  run: { id: string; checkpoint: 'best' | 'latest'; step: number | null } | null;
  settings: Required<EvalSettings>;
  data: RunDataReport;
}

const ADAPTER_DIR = 'adapter/';

function bad(message: string): never {
  throw new EngineError('bad-input', message);
}

function settingsOf(base: RunConfig | null, over: EvalSettings | undefined): RunConfig {
  for (const k of Object.keys(over ?? {})) if (!(EVAL_SETTINGS as readonly string[]).includes(k)) bad(`evaluation setting ${k} is not one of ${EVAL_SETTINGS.join(', ')}`);
  try {
    return parseRunConfig({ ...(base ?? {}), ...(over ?? {}) }, 'evaluation settings');
  } catch (e) {
    return bad((e as Error).message);
  }
}

export class Evaluator {
  constructor(
    private readonly gpu: Gpu,
    private readonly open: OpenModel,
    private readonly store: RunStore | undefined,
  ) {}

  async evaluate(spec: EvalSpec): Promise<EvalReport> {
    if (!['eval', 'train', 'all'].includes(spec.split)) bad(`split must be eval, train or all, got ${JSON.stringify(spec.split)}`);
    if (!spec.data || !Array.isArray(spec.data.rows)) bad('evaluation data: rows must be a list of { id, question, label, rationale }');
    const built = await this.buildModel(spec);
    const { model, tokenizer, tokenizerFiles, config, checkpoint } = built;
    let runner: T5Runner | null = null;
    let step: DssStep | null = null;
    try {
      let data;
      try {
        data = prepareRunData(spec.data.rows, tokenizer, tokenizerFiles, config);
      } catch (e) {
        return bad(`evaluation data ${spec.data.name ?? ''}: ${(e as Error).message}`);
      }
      const examples = spec.split === 'eval' ? data.eval : spec.split === 'train' ? data.train : [...data.train, ...data.eval];
      if (examples.length === 0) bad(`the ${spec.split} split (seed ${config.seed}, eval fraction ${config.evalFraction}) has no rows out of ${data.report.trainRows + data.report.evalRows}`);
      const a = effectiveMix(config, data.report);
      runner = new T5Runner(this.gpu, model.dims, model.params, runPassShape(this.gpu, model.dims, config, data));
      step = new DssStep(this.gpu, model, runner);
      const losses = await scoreExamples(step, examples, a, config.batchSize);
      const settings = Object.fromEntries(EVAL_SETTINGS.map((k) => [k, config[k]])) as Required<EvalSettings>;
      return {
        split: spec.split, rows: examples.length, eval_loss: losses.total, eval_loss_label: losses.label, eval_loss_rationale: losses.rationale, a,
        model: checkpoint.label, adapter: built.adapter,
        run: spec.run ? { id: spec.run.id, checkpoint: spec.run.checkpoint, step: built.runStep } : null,
        settings, data: data.report,
      };
    } finally {
      step?.free();
      runner?.free();
      model.params.free();
    }
  }

  /**
   * The model of a base, an adapter on it or a run's checkpoint, on the GPU and frozen, with the tokenizer it was
   * trained with (also what the Playground answers with and what a merged export folds). The caller frees it.
   */
  async buildModel(spec: ModelSpec): Promise<BuiltModel> {
    if (spec.adapter && spec.run) bad('give an adapter or a run, not both');
    let runConfig: RunConfig | null = null;
    let runFiles: FileRecord | null = null;
    let runStep: number | null = null;
    if (spec.run) {
      if (!this.store) throw new EngineError('internal', 'this engine was made without a run store');
      const record = await this.store.getRun(checkRunId(spec.run.id));
      if (!record) throw new EngineError('not-found', `no run ${spec.run.id}`);
      runFiles = await this.store.loadCheckpoint(spec.run.id, spec.run.checkpoint);
      if (!runFiles) throw new EngineError('not-found', `run ${spec.run.id} has no ${spec.run.checkpoint} checkpoint yet`);
      runConfig = record.config;
      runStep = record.checkpoints[spec.run.checkpoint]?.step ?? null;
    }
    const config = settingsOf(runConfig, spec.settings);
    let adapter: FileMap | null = spec.adapter ? new Map(Object.entries(spec.adapter)) : null;
    if (runFiles && config.method !== 'full') {
      adapter = new Map(Object.entries(runFiles).filter(([n]) => n.startsWith(ADAPTER_DIR)).map(([n, d]) => [n.slice(ADAPTER_DIR.length), d]));
      if (!adapter.has('adapter_config.json')) throw new EngineError('not-found', `run ${spec.run!.id}'s ${spec.run!.checkpoint} checkpoint holds no adapter`);
    }

    let checkpoint: LoadedCheckpoint;
    let tokenizer: T5Tokenizer;
    try {
      // A full fine-tune's checkpoint is a whole Hugging Face checkpoint: it replaces the base.
      const source = runFiles && config.method === 'full' ? memoryCheckpointSource(new Map(Object.entries(runFiles)), `run ${spec.run!.id} ${spec.run!.checkpoint}`) : this.open(spec.model, new AbortController().signal);
      ({ checkpoint, tokenizer } = await readCheckpoint(source, () => undefined));
    } catch (e) {
      return bad((e as Error).message);
    }
    // The adapter's tokenizer (the run's augmented one: "{", "}" as added tokens) wins over the base's.
    let tokenizerFiles = { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size };
    const adapterTokenizer = adapter?.get('tokenizer.json');
    if (adapterTokenizer !== undefined) {
      const text = (d: Uint8Array | string) => (typeof d === 'string' ? d : new TextDecoder().decode(d));
      const cfgFile = adapter!.get('tokenizer_config.json');
      const tokenizerConfig = cfgFile !== undefined ? (JSON.parse(text(cfgFile)) as Record<string, unknown>) : checkpoint.tokenizerConfig;
      tokenizerFiles = { ...tokenizerFiles, tokenizerJson: text(adapterTokenizer), tokenizerConfig };
      try {
        tokenizer = createTextTokenizer(tokenizerFiles.tokenizerJson, tokenizerConfig);
      } catch (e) {
        bad(`adapter tokenizer.json: ${(e as Error).message}`);
      }
    }
    const model = await this.loadModel(checkpoint, config, adapter);
    return { model, tokenizer, tokenizerFiles, config, checkpoint, runStep, adapter: adapter !== null };
  }

  /** The model as the run trained it: NF4 base for QLoRA, then the adapter (and its token rows), frozen. */
  private async loadModel(checkpoint: LoadedCheckpoint, config: RunConfig, adapter: FileMap | null): Promise<T5Model> {
    const quant = config.method === 'qlora' ? qloraLoadOptions({ doubleQuant: config.doubleQuant }) : {};
    if (config.method !== 'full' && !adapter) bad(`method ${config.method} evaluates an adapter: give one (or a run)`);
    const model = await loadT5(this.gpu, checkpoint.config, (name) => checkpoint.readTensor(name), { trainBase: false, ...quant });
    try {
      if (config.method === 'qlora') model.params.nf4Compute = await selectNf4Compute(this.gpu, model);
      if (adapter) await importAdapter(this.gpu, model, adapter, { trainable: false }).catch((e: Error) => bad(e.message));
    } catch (e) {
      model.params.free();
      throw e;
    }
    return model;
  }
}

