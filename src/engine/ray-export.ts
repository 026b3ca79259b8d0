// A stored run, or a sweep's configurations, as a Ray Train job bundle (src/ray/bundle.ts): the engine side of the
// Export page's "Ray Train job" zip. The rows are the run store's snapshot (data.json, copied when the run started) and
// the tokenizer is the run's base model's, repaired by buildRayBundle exactly as the run repaired it, so the files
// equal `stepwise export-ray --run` for the same run byte for byte. Only config, tokenizer and tensor headers are read:
// no GPU, no weights. The templates are text the host injects (Node: from disk; the browser: Vite's ?raw).
import type { CheckpointSource } from '../io/checkpoint';
import type { T5Tokenizer } from '../model/tokenizer';
import { buildRayBundle, RAY_BUNDLE_FORMAT, type RayCluster } from '../ray/bundle';
import type { RayTemplates } from '../ray/templates';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import type { TokenizerFiles } from '../train/run-data';
import type { ModelSource, RayExportOptions, RayExportSource } from './api';
import { EngineError } from './errors';
import { readCheckpoint } from './loaded-model';
import type { FileRecord, RunData, RunRecord } from './run-api';
import { checkRunId, type RunStore } from './run-store';

export interface RayExportDeps {
  store: RunStore | undefined;
  open: (source: ModelSource) => CheckpointSource;
  /** The templates, read when first needed; undefined when the host gave none. */
  templates: (() => RayTemplates) | undefined;
  /** The loaded model's source and label: a run trained on picked files is exported from it when the labels match. */
  loaded: { source: ModelSource; label: string } | null;
}

interface Base {
  tokenizer: T5Tokenizer;
  tokenizerFiles: TokenizerFiles;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A run's base as a source to open again (picked files only through the loaded model, which must be them). */
function runBase(model: RunRecord['model'], loaded: RayExportDeps['loaded'], what: string): ModelSource {
  if (model.kind === 'hub') return { kind: 'hub', id: model.id, baseUrl: model.baseUrl, revision: model.revision };
  if (model.kind === 'folder') return { kind: 'folder', path: model.path };
  if (loaded && loaded.label === model.label) return loaded.source;
  throw new EngineError('bad-input', `${what} trained on the picked folder ${model.label}: load that folder on the Models page first, then export the Ray Train job`);
}

/** What the cluster loads by default: the hub id, the folder's path, or the picked folder's name (to be replaced). */
function baseName(source: ModelSource, label: string): string {
  return source.kind === 'hub' ? source.id : source.kind === 'folder' ? source.path : label;
}

function cluster(options: RayExportOptions): Partial<RayCluster> {
  const out: Partial<RayCluster> = {};
  for (const key of ['workers', 'gpusPerWorker', 'image', 'storagePath', 'workingDir'] as const) {
    if (options[key] !== undefined && options[key] !== '') Object.assign(out, { [key]: options[key] });
  }
  return out;
}

async function readBase(open: RayExportDeps['open'], source: ModelSource): Promise<Base & { label: string }> {
  try {
    const { checkpoint, tokenizer } = await readCheckpoint(open(source), () => undefined);
    return { tokenizer, label: checkpoint.label, tokenizerFiles: { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size } };
  } catch (e) {
    throw new EngineError('bad-input', `Ray Train job: cannot read the base model: ${(e as Error).message}`);
  }
}

function build(templates: RayTemplates, config: RunConfig, data: RunData, base: Base, baseModel: string, runName: string, options: RayExportOptions): FileRecord {
  try {
    return buildRayBundle({ config, rows: data.rows, ...base, baseModel, runName, cluster: cluster(options) }, templates).files;
  } catch (e) {
    throw new EngineError('bad-input', `Ray Train job ${runName}: ${(e as Error).message}`);
  }
}

async function fromRun(deps: RayExportDeps, store: RunStore, templates: RayTemplates, runId: string, options: RayExportOptions): Promise<FileRecord> {
  const record = await store.getRun(runId);
  if (!record) throw new EngineError('not-found', `no run ${runId}`);
  // The bundle trains a fresh adapter on the base's tokenizer: it cannot carry on from an imported adapter.
  if (record.startedFrom) throw new EngineError('bad-input', `run ${record.name} continued adapter ${record.startedFrom.adapter}; a Ray Train job starts a fresh adapter, so it cannot repeat this run`);
  const data = await store.getData(runId);
  if (!data || !Array.isArray(data.rows)) throw new EngineError('not-found', `run ${runId} has no data snapshot (data.json)`);
  const config = parseRunConfig(record.config, `run ${runId} run.json`);
  const source = runBase(record.model, deps.loaded, `run ${record.name}`);
  const base = await readBase(deps.open, source);
  // The CLI names the job after the run id (a short, stable name); so does the studio, for the same files.
  return build(templates, config, data, base, options.baseModel || baseName(source, record.model.label), record.id, options);
}

/**
 * One folder per configuration (its id), each a complete bundle that runs on its own, and sweep.json listing them.
 * Configurations on the same base share one read of its tokenizer.
 */
async function fromSweep(deps: RayExportDeps, templates: RayTemplates, what: Extract<RayExportSource, { kind: 'sweep' }>, options: RayExportOptions): Promise<FileRecord> {
  if (!Array.isArray(what.configurations) || what.configurations.length === 0) throw new EngineError('bad-input', `sweep ${what.name}: no configurations to export`);
  if (!what.data || !Array.isArray(what.data.rows)) throw new EngineError('bad-input', `sweep ${what.name}: data.rows must be a list of rows`);
  const bases = new Map<string, Promise<Base & { label: string }>>();
  const files: FileRecord = {};
  const listed: unknown[] = [];
  for (const c of what.configurations) {
    try {
      checkRunId(c.id);
    } catch (e) {
      throw new EngineError('bad-input', `sweep ${what.name}: ${(e as Error).message}`);
    }
    if (listed.some((l) => (l as { folder: string }).folder === c.id)) throw new EngineError('bad-input', `sweep ${what.name}: two configurations share the id ${c.id}`);
    let config: RunConfig;
    try {
      config = parseRunConfig(c.config, `sweep ${what.name} configuration ${c.id}`);
    } catch (e) {
      throw new EngineError('bad-input', (e as Error).message);
    }
    const key = c.model.kind === 'files' ? `files:${c.model.label ?? ''}:${c.model.files.map((f) => f.path).join(',')}` : JSON.stringify(c.model);
    if (!bases.has(key)) bases.set(key, readBase(deps.open, c.model));
    const base = await bases.get(key)!;
    const baseModel = options.baseModel || baseName(c.model, base.label);
    for (const [name, content] of Object.entries(build(templates, config, what.data, base, baseModel, c.id, options))) files[`${c.id}/${name}`] = content;
    listed.push({ folder: c.id, base_model: baseModel, method: config.method, rank: config.method === 'full' ? null : config.lora.rank, alpha: config.method === 'full' ? null : config.lora.alpha, seed: config.seed, a: config.a });
  }
  files['sweep.json'] = json({ format: RAY_BUNDLE_FORMAT, sweep: what.name, data: what.data.name, configurations: listed });
  return files;
}

export async function exportRayBundle(deps: RayExportDeps, what: RayExportSource, options: RayExportOptions = {}): Promise<FileRecord> {
  if (!deps.templates) throw new EngineError('internal', 'this engine was made without the Ray bundle templates (the host injects them)');
  const templates = deps.templates();
  if (what?.kind === 'run') {
    if (!deps.store) throw new EngineError('internal', 'this engine was made without a run store: there are no runs to export');
    return fromRun(deps, deps.store, templates, what.runId, options);
  }
  if (what?.kind === 'sweep') return fromSweep(deps, templates, what, options);
  throw new EngineError('bad-input', 'a Ray Train job is built from { kind: "run", runId } or { kind: "sweep", name, data, configurations }');
}
