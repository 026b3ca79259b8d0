// A run as a Ray Train job: the files of the bundle (data split with token ids, tokenizer, settings, Python job,
// requirements, KubeRay manifest, README) as a FileRecord, so the CLI writes a folder and the studio zips it. The data
// goes through the trainer's own preparation (prepareRunData), so the split, the repaired tokenizer and every token id
// are the ones a Stepwise run trains on. Same inputs, byte-identical files: nothing here reads a clock.
import type { FileRecord, TrainingRow } from '../engine/run-api';
import type { DssExample } from '../data/dss-examples';
import type { T5Tokenizer } from '../model/tokenizer';
import type { RunConfig } from '../settings/run-config';
import { effectiveMix, prepareRunData, stepsPerEpoch, type PreparedData, type TokenizerFiles } from '../train/run-data';
import { plannedSteps } from '../train/trainer';
import { fillTemplate, type RayTemplates } from './templates';

export const RAY_BUNDLE_FORMAT = 1;

export interface RayCluster {
  /** Worker pods in the RayJob. */
  workers: number;
  /** GPUs per worker pod (train_ray.py runs one training worker per GPU). */
  gpusPerWorker: number;
  /** Container image (default: Ray's GPU image of the pinned Ray version). */
  image?: string;
  /** Ray Train storage shared by the nodes (NFS path, s3://, gs://). */
  storagePath?: string;
  /** Where the cluster fetches this bundle (a zip URL). */
  workingDir?: string;
}

export interface RayBundleInput {
  config: RunConfig;
  rows: TrainingRow[];
  /** The base model's tokenizer and files (repaired exactly as a run repairs them). */
  tokenizer: T5Tokenizer;
  tokenizerFiles: TokenizerFiles;
  /** What the cluster loads: a hub id (google/flan-t5-base) or a path every node can read. */
  baseModel: string;
  runName: string;
  cluster?: Partial<RayCluster>;
}

export const DEFAULT_CLUSTER: RayCluster = { workers: 1, gpusPerWorker: 1 };

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** One data/*.jsonl line: the row's text and the ids Stepwise trains on for both tasks. */
function bundleRow(example: DssExample, row: TrainingRow): string {
  const ids = (p: DssExample['label']) => ({ input_ids: p.inputIds, labels: p.labels });
  return `${JSON.stringify({ id: row.id, question: row.question, label: row.label, rationale: row.rationale ?? '', label_ids: ids(example.label), rationale_ids: ids(example.rationale) })}\n`;
}

/** A Kubernetes object name from the run name (lowercase letters, digits and '-', at most 50 characters). */
export function jobName(runName: string): string {
  const slug = runName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `stepwise-${slug || 'run'}`.slice(0, 50).replace(/-+$/, '');
}

/** The requirements' pinned lines, for the RayJob's runtime environment, and the pinned Ray version. */
function pins(requirements: string): { lines: string[]; ray: string } {
  const lines = requirements.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const ray = lines.map((l) => /^ray(\[[^\]]*\])?==(\S+)$/.exec(l)?.[2]).find(Boolean);
  if (!ray) throw new Error('Ray bundle template requirements.txt: no pinned ray==VERSION line');
  return { lines, ray };
}

export interface RayBundle {
  files: FileRecord;
  data: PreparedData;
}

export function buildRayBundle(input: RayBundleInput, templates: RayTemplates): RayBundle {
  const { config, runName, baseModel } = input;
  const cluster: RayCluster = { ...DEFAULT_CLUSTER, ...input.cluster };
  for (const key of ['workers', 'gpusPerWorker'] as const) {
    if (!Number.isInteger(cluster[key]) || cluster[key] < 1) throw new Error(`Ray cluster: ${key} must be a positive integer, got ${cluster[key]}`);
  }
  const data = prepareRunData(input.rows, input.tokenizer, input.tokenizerFiles, config);
  const byId = new Map(input.rows.map((r) => [String(r.id), r]));
  const lines = (examples: DssExample[]) => examples.map((e) => bundleRow(e, byId.get(e.id)!)).join('');
  const a = effectiveMix(config, data.report);
  const name = jobName(runName);
  const meta = {
    format: RAY_BUNDLE_FORMAT,
    run_name: runName,
    base_model: baseModel,
    a,
    added_token_ids: data.addedTokenIds,
    added_characters: data.report.addedCharacters,
    train_rows: data.train.length,
    eval_rows: data.eval.length,
    steps_per_epoch: stepsPerEpoch(data.train.length, config).steps,
    total_steps: plannedSteps(config, data.train.length),
    report: data.report,
  };
  const { lines: pip, ray } = pins(templates['requirements.txt']);
  const epochs = config.maxSteps === null ? `${config.epochs} epochs` : `${config.maxSteps} steps`;
  const values = {
    RUN_NAME: runName, JOB_NAME: name, BASE_MODEL: baseModel, METHOD: config.method, A: a, LR: config.lr, SCHEDULE: config.schedule,
    BATCH: config.batchSize, EPOCHS: epochs, TRAIN_ROWS: data.train.length, EVAL_ROWS: data.eval.length,
    MAX_INPUT: config.maxInputLength, MAX_TARGET: config.maxTargetLength,
    ADDED: data.report.addedCharacters.length ? `, with ${data.report.addedCharacters.map((c) => JSON.stringify(c)).join(' ')} added so JSON labels tokenize losslessly` : '',
    WORKERS: cluster.workers, GPUS_PER_WORKER: cluster.gpusPerWorker, TRAIN_WORKERS: cluster.workers * cluster.gpusPerWorker,
    IMAGE: cluster.image ?? `rayproject/ray:${ray}-py311-gpu`, RAY_VERSION: ray,
    STORAGE_PATH: cluster.storagePath ?? '/mnt/shared/ray', WORKING_DIR: cluster.workingDir ?? 'https://example.com/CHANGE-ME/bundle.zip',
    PIP: pip.map((l) => `      - ${l}`).join('\n'),
  };
  const files: FileRecord = {
    'README.md': fillTemplate('README.md', templates['README.md'], values),
    'bundle.json': json(meta),
    'data/eval.jsonl': lines(data.eval),
    'data/train.jsonl': lines(data.train),
    'rayjob.yaml': fillTemplate('rayjob.yaml', templates['rayjob.yaml'], values),
    'requirements.txt': templates['requirements.txt'],
    'run.json': json(config),
    'stepwise_dss.py': templates['stepwise_dss.py'],
    'tokenizer/tokenizer.json': data.tokenizer.tokenizerJson,
    'tokenizer/tokenizer_config.json': json(data.tokenizer.tokenizerConfig ?? {}),
    'train_ray.py': templates['train_ray.py'],
  };
  return { files, data };
}
