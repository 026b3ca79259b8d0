// What answers in the Playground and its evaluations besides the loaded model: a run's checkpoint or an imported
// PEFT adapter, built by the Evaluator exactly as evaluate() scores it (NF4 base for QLoRA, the adapter's token rows
// and augmented tokenizer). One such model is kept on the GPU, next to the loaded one, until another is asked for
// or the loaded model changes; a run checkpoint saved again since is rebuilt.
import type { T5Model } from '../model/t5-model';
import type { T5Tokenizer } from '../model/tokenizer';
import { mergedWeightReader } from '../model/merge';
import { writeExport, type ExportSink, type ExportSummary } from '../io/export-stream';
import { mergedCheckpointFiles } from '../io/merged-checkpoint';
import type { AnswerWith, MergeProgress, ModelSource, ModelSummary } from './api';
import type { BuiltModel, Evaluator, ModelSpec } from './evaluation';
import { EngineError } from './errors';
import type { RunRecord } from './run-api';
import type { RunStore } from './run-store';
import type { Gpu } from '../gpu/gpu';

/** The loaded model as the engine keeps it: what it was loaded from (to build on it) and its summary. */
export interface LoadedBase {
  source: ModelSource;
  summary: ModelSummary;
}

export interface AnswerModel {
  model: T5Model;
  tokenizer: T5Tokenizer;
  /** Names it in messages ("run e2e lora best (step 9)"). */
  label: string;
}

/** A run's base as a source the engine can reopen: the hub (its cache) or a folder path; picked files come from the loaded model. */
function runBase(record: RunRecord, loaded: LoadedBase | null): ModelSource {
  const m = record.model;
  if (m.kind === 'hub') return { kind: 'hub', id: m.id, baseUrl: m.baseUrl, revision: m.revision };
  if (m.kind === 'folder') return { kind: 'folder', path: m.path };
  if (loaded && loaded.summary.label === m.label) return loaded.source;
  throw new EngineError('bad-input', `run ${record.name} trained on the picked folder ${m.label}: load that folder on the Models page first, then answer with the run`);
}

export class AnswerModels {
  private held: (AnswerModel & { key: string }) | null = null;

  constructor(
    private readonly gpu: Gpu,
    private readonly evaluator: Evaluator,
    private readonly store: RunStore | undefined,
  ) {}

  /** The model for `what` (null for the loaded model), built on first use and kept until another is asked for. */
  async get(what: AnswerWith | undefined, loaded: LoadedBase | null): Promise<AnswerModel | null> {
    if (!what || what.kind === 'loaded') return null;
    const { spec, key, label } = await this.specFor(what, loaded);
    if (this.held?.key === key) return this.held;
    this.free();
    const built = await this.evaluator.buildModel(spec);
    this.held = { key, label, model: built.model, tokenizer: built.tokenizer };
    return this.held;
  }

  /**
   * The model of `what` with its adapter folded in, as Hugging Face checkpoint files streamed to `sink`. Built apart
   * from the kept answer model and freed after; each weight is folded and read back just before it is written, so
   * the host holds one weight at a time.
   */
  async merged(what: Exclude<AnswerWith, { kind: 'loaded' }>, loaded: LoadedBase | null, sink: ExportSink, onProgress?: (p: MergeProgress) => void): Promise<ExportSummary> {
    const { spec } = await this.specFor(what, loaded);
    const send = (p: MergeProgress) => void Promise.resolve(onProgress?.(p)).catch(() => undefined);
    send({ stage: 'build', done: 0, total: 1 });
    const built: BuiltModel = await this.evaluator.buildModel(spec);
    try {
      send({ stage: 'build', done: 1, total: 1 });
      const tokenizerFiles = new Map<string, string>();
      if (built.tokenizerFiles.tokenizerConfig) tokenizerFiles.set('tokenizer_config.json', `${JSON.stringify(built.tokenizerFiles.tokenizerConfig, null, 2)}\n`);
      const files = mergedCheckpointFiles(built.checkpoint.config, mergedWeightReader(this.gpu, built.model), { tokenizerJson: built.tokenizerFiles.tokenizerJson, tokenizerFiles });
      return await writeExport(files, sink, (done, total, file) => send({ stage: 'write', done, total, file }));
    } finally {
      built.model.params.free();
    }
  }

  free(): void {
    this.held?.model.params.free();
    this.held = null;
  }

  private async specFor(what: Exclude<AnswerWith, { kind: 'loaded' }>, loaded: LoadedBase | null): Promise<{ spec: ModelSpec; key: string; label: string }> {
    if (what.kind === 'run') {
      if (!this.store) throw new EngineError('internal', 'this engine was made without a run store');
      const record = await this.store.getRun(what.runId);
      if (!record) throw new EngineError('not-found', `no run ${what.runId}`);
      const info = record.checkpoints[what.checkpoint];
      if (!info) throw new EngineError('not-found', `run ${record.name} has no ${what.checkpoint} checkpoint yet`);
      // A full fine-tune's checkpoint is the whole model: buildModel never opens the base then.
      const model: ModelSource = record.config.method === 'full' ? { kind: 'folder', path: record.model.label } : runBase(record, loaded);
      return {
        spec: { model, run: { id: what.runId, checkpoint: what.checkpoint } },
        key: `run:${what.runId}:${what.checkpoint}:${info.savedAt}`,
        label: `run ${record.name} ${what.checkpoint} (step ${info.step})`,
      };
    }
    if (what.kind === 'adapter') {
      if (!loaded) throw new EngineError('not-found', `no model is loaded: load the adapter's base on the Models page first, then answer with ${what.label}`);
      if (!what.files || typeof what.files !== 'object') throw new EngineError('bad-input', `adapter ${what.label}: no files`);
      return {
        spec: { model: loaded.source, adapter: what.files, settings: { method: 'lora' } },
        key: `adapter:${what.id}:${loaded.summary.label}:${loaded.summary.loadMillis}`,
        label: `adapter ${what.label} on ${loaded.summary.label}`,
      };
    }
    throw new EngineError('bad-input', `answer with: unknown kind ${JSON.stringify((what as { kind?: unknown }).kind)}`);
  }
}
