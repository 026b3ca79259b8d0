// `stepwise export-ray`: a run (or settings + data + model) as a Ray Train job folder (src/ray/bundle.ts). Nothing
// touches a GPU: the model folder is read for its config and tokenizer only.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readCheckpoint } from '../engine/loaded-model';
import type { RunData, RunRecord } from '../engine/run-api';
import { folderSource } from '../hosts/node/fs-source';
import { readRayTemplates } from '../hosts/node/ray-templates';
import { buildRayBundle, type RayCluster } from '../ray/bundle';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { parseColumns, readJsonlRows } from './jsonl-rows';

export const EXPORT_RAY_USAGE = `  export-ray (--run RUN_DIR | --config RUN.json --data FILE.jsonl [--columns ...]) --out BUNDLE_DIR [--model DIR]
        [--base-model ID] [--workers 1] [--gpus-per-worker 1] [--image IMG] [--storage-path PATH] [--working-dir URL]
      the run as a Ray Train job: data/train.jsonl and data/eval.jsonl (the run's split with its token ids),
      tokenizer/, run.json, stepwise_dss.py, train_ray.py, requirements.txt, rayjob.yaml (KubeRay) and README.md.
      --model: the base model folder (default: the run's, when it trained on a folder); --base-model: what the
      cluster loads (default: the run's hub id, else the model folder's path)`;

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got "${text}"`);
  return n;
}

interface Source {
  config: RunConfig;
  data: RunData;
  modelDir: string;
  baseModel: string;
  runName: string;
}

async function fromRun(dir: string, model: string | undefined): Promise<Source> {
  const runPath = join(dir, 'run.json');
  if (!existsSync(runPath)) throw new Error(`${dir} is not a run folder (no run.json)`);
  const record = (await readJson(runPath)) as RunRecord;
  const config = parseRunConfig(record.config, runPath);
  const data = (await readJson(join(dir, 'data.json'))) as RunData;
  if (!Array.isArray(data?.rows)) throw new Error(`${join(dir, 'data.json')}: no rows`);
  const m = record.model;
  const modelDir = model ?? (m?.kind === 'folder' ? m.path : undefined);
  if (!modelDir) throw new Error(`run ${record.id} trained on ${m?.kind === 'hub' ? `hub model ${m.id}` : 'picked files'}; pass --model DIR (a local copy of that model)`);
  const baseModel = m?.kind === 'hub' ? m.id : resolve(modelDir);
  return { config, data, modelDir, baseModel, runName: record.id || basename(dir) };
}

async function fromFiles(configPath: string, dataPath: string, model: string | undefined, columns: string | undefined): Promise<Source> {
  if (!model) throw new Error('export-ray --config needs --model DIR (the base model folder)');
  const json = (await readJson(configPath)) as Record<string, unknown> | null;
  // A run folder's run.json is a run record; a bare settings file is the RunConfig itself.
  const isRecord = json !== null && typeof json === 'object' && 'config' in json && 'id' in json;
  const config = parseRunConfig(isRecord ? json.config : json, configPath);
  const { data } = await readJsonlRows(dataPath, parseColumns(columns));
  return { config, data, modelDir: model, baseModel: resolve(model), runName: basename(dataPath).replace(/\.jsonl?$/, '') };
}

export async function exportRayCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' }, config: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' },
      'base-model': { type: 'string' }, columns: { type: 'string' }, workers: { type: 'string' }, 'gpus-per-worker': { type: 'string' },
      image: { type: 'string' }, 'storage-path': { type: 'string' }, 'working-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!v.out) throw new Error('export-ray needs --out BUNDLE_DIR');
  if (!v.run === !v.config) throw new Error('export-ray needs --run RUN_DIR, or --config RUN.json with --data FILE.jsonl (not both)');
  if (v.config && !v.data) throw new Error('export-ray --config needs --data FILE.jsonl');
  if (v.run && (v.data || v.columns)) throw new Error('export-ray --run uses the run\'s own data; --data and --columns go with --config');
  if (existsSync(join(v.out, 'bundle.json'))) throw new Error(`${v.out} already holds a bundle; choose a new folder or remove it first`);
  const cluster: Partial<RayCluster> = {
    workers: positive('workers', v.workers), gpusPerWorker: positive('gpus-per-worker', v['gpus-per-worker']),
    image: v.image, storagePath: v['storage-path'], workingDir: v['working-dir'],
  };
  for (const k of Object.keys(cluster) as (keyof RayCluster)[]) if (cluster[k] === undefined) delete cluster[k];
  const src = v.run ? await fromRun(resolve(v.run), v.model) : await fromFiles(v.config!, v.data!, v.model, v.columns);
  const { checkpoint, tokenizer } = await readCheckpoint(folderSource(resolve(src.modelDir)), () => undefined);
  const { files, data } = buildRayBundle({
    config: src.config, rows: src.data.rows, tokenizer,
    tokenizerFiles: { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size },
    baseModel: v['base-model'] ?? src.baseModel, runName: src.runName, cluster,
  }, readRayTemplates());
  for (const [name, content] of Object.entries(files)) {
    const path = join(v.out, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  const r = data.report;
  const added = r.addedCharacters.length ? `; tokenizer + ${r.addedCharacters.map((c) => JSON.stringify(c)).join(' ')}` : '';
  process.stderr.write(`${r.trainRows} train and ${r.evalRows} eval rows (${r.skipped.length} skipped${added}) -> ${v.out} (${Object.keys(files).length} files; see README.md)\n`);
  return 0;
}
