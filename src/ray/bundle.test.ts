// The Ray Train bundle (issue 12): deterministic files, the run's exact split and ids, Python that compiles and
// rebuilds Stepwise's batches, a KubeRay manifest that parses. The loss check is in dss-loss.test.ts (needs a GPU).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonlRows } from '../cli/jsonl-rows';
import { hashString } from '../common/random';
import { folderSource } from '../hosts/node/fs-source';
import { readRayTemplates } from '../hosts/node/ray-templates';
import { loadCheckpoint } from '../io/checkpoint';
import type { TaskBatch } from '../model/batch';
import { createTextTokenizer } from '../model/tokenizer';
import { parseRunConfig, type RunConfig } from '../settings/run-config';
import { hasTorch, PYTHON } from '../testing/python';
import { chunks, epochOrder, padBatch, prepareRunData } from '../train/run-data';
import { exportBundle, makeRayFixture, python, readTree, type RayFixture } from './ray-bundle.testing';
import { rayTemplates } from './templates';

const CONFIG: Partial<RunConfig> = { method: 'lora', seed: 7, batchSize: 3, evalFraction: 0.3, maxInputLength: 9, maxTargetLength: 8, lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v'], rslora: false } };
const FILES = ['README.md', 'bundle.json', 'data/eval.jsonl', 'data/train.jsonl', 'rayjob.yaml', 'requirements.txt', 'run.json', 'stepwise_dss.py', 'tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json', 'train_ray.py'];
const hasPython = existsSync(PYTHON);
const hasYaml = hasPython && spawnSync(PYTHON, ['-c', 'import yaml']).status === 0;

let f: RayFixture;
let bundle: string;

beforeAll(async () => {
  f = makeRayFixture(CONFIG);
  bundle = await exportBundle(f, 'bundle', ['--workers', '2', '--gpus-per-worker', '4', '--base-model', 'google/flan-t5-small']);
});

afterAll(() => {
  if (!hasTorch) console.warn('python3-torch missing (/usr/bin/python3 -c "import torch" failed): the Python checks of the Ray bundle were skipped');
});

const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** The batches a Stepwise run trains on in one epoch, from its own data preparation. */
async function stepwiseBatches(config: RunConfig, epoch: number) {
  const checkpoint = await loadCheckpoint(folderSource(f.model));
  const tokenizer = createTextTokenizer(checkpoint.tokenizerJson, checkpoint.tokenizerConfig);
  const { data } = await readJsonlRows(f.data);
  const prepared = prepareRunData(data.rows, tokenizer, { tokenizerJson: checkpoint.tokenizerJson, tokenizerConfig: checkpoint.tokenizerConfig, vocabSize: checkpoint.config.vocab_size }, config);
  const batches = chunks(epochOrder(prepared.train.length, config.seed, epoch, config.shuffle), config.batchSize).map((ids) => padBatch(ids.map((i) => prepared.train[i])));
  return { prepared, batches };
}

describe('export-ray bundle', () => {
  it('writes the bundle files, byte-identical on a second export of the same run', async () => {
    const first = readTree(bundle);
    expect([...first.keys()]).toEqual(FILES);
    const again = readTree(await exportBundle(f, 'again', ['--workers', '2', '--gpus-per-worker', '4', '--base-model', 'google/flan-t5-small']));
    expect([...again.keys()]).toEqual(FILES);
    for (const [name, bytes] of first) expect(again.get(name)!.equals(bytes), name).toBe(true);
  });

  it('carries the run\'s exact split and token ids, the repaired tokenizer and the settings', async () => {
    const config = parseRunConfig(CONFIG);
    const { prepared } = await stepwiseBatches(config, 0);
    const train = jsonl(join(bundle, 'data/train.jsonl'));
    const evalRows = jsonl(join(bundle, 'data/eval.jsonl'));
    expect(train.map((r) => r.id)).toEqual(prepared.train.map((e) => e.id));
    expect(evalRows.map((r) => r.id)).toEqual(prepared.eval.map((e) => e.id));
    expect(evalRows.length).toBeGreaterThan(0);
    [...train, ...evalRows].forEach((row) => {
      const e = [...prepared.train, ...prepared.eval].find((x) => x.id === row.id)!;
      expect(row.label_ids).toEqual({ input_ids: e.label.inputIds, labels: e.label.labels });
      expect(row.rationale_ids).toEqual({ input_ids: e.rationale.inputIds, labels: e.rationale.labels });
      expect(typeof row.question).toBe('string');
    });
    const source = readFileSync(f.data, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: string });
    expect(train.find((r) => r.id === 'q0')?.label ?? evalRows.find((r) => r.id === 'q0')?.label).toBe(source[0].label);
    expect(Math.max(...train.map((r) => (r.label_ids as { input_ids: number[] }).input_ids.length))).toBeLessThanOrEqual(9);
    const meta = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8'));
    expect(meta.added_characters.sort()).toEqual(['{', '}']);
    expect(meta.added_token_ids).toEqual(prepared.addedTokenIds);
    expect(meta.base_model).toBe('google/flan-t5-small');
    expect(readFileSync(join(bundle, 'tokenizer/tokenizer.json'), 'utf8')).toBe(prepared.tokenizer.tokenizerJson);
    expect(JSON.parse(readFileSync(join(bundle, 'run.json'), 'utf8'))).toEqual(config);
  });

  it('exports a run folder like its settings and data given as files', async () => {
    const run = join(f.root, 'run');
    mkdirSync(run);
    const { data } = await readJsonlRows(f.data);
    writeFileSync(join(run, 'run.json'), JSON.stringify({ id: 'data', name: 'a person\'s name', config: parseRunConfig(CONFIG), model: { kind: 'folder', path: f.model, label: 'tiny' } }));
    writeFileSync(join(run, 'data.json'), JSON.stringify(data));
    const { exportRayCommand } = await import('../cli/export-ray');
    const out = join(f.root, 'from-run');
    await exportRayCommand(['--run', run, '--out', out, '--workers', '2', '--gpus-per-worker', '4', '--base-model', 'google/flan-t5-small']);
    const a = readTree(bundle);
    for (const [name, bytes] of readTree(out)) expect(bytes.equals(a.get(name)!), name).toBe(true);
  });

  it('refuses incomplete commands with the missing flag named', async () => {
    const { exportRayCommand } = await import('../cli/export-ray');
    await expect(exportRayCommand(['--config', f.config, '--data', f.data, '--out', join(f.root, 'x')])).rejects.toThrow(/--model DIR/);
    await expect(exportRayCommand(['--run', f.root, '--out', join(f.root, 'y')])).rejects.toThrow(/no run\.json/);
    await expect(exportRayCommand(['--config', f.config, '--data', f.data, '--model', f.model, '--out', bundle])).rejects.toThrow(/already holds a bundle/);
  });

  it('loads the same templates through Vite\'s ?raw as from disk (the studio\'s way)', () => {
    const raw = import.meta.glob('./templates/*', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    expect(rayTemplates(raw)).toEqual(readRayTemplates());
  });

  it.runIf(hasPython)('compiles every Python file (py_compile)', () => {
    for (const name of ['stepwise_dss.py', 'train_ray.py']) {
      const r = spawnSync(PYTHON, ['-m', 'py_compile', join(bundle, name)], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  });

  it.runIf(hasTorch)('ports the seeded order exactly (hash, mulberry32, Fisher-Yates)', () => {
    const cases: [string, number][] = [['epoch 0', 42], ['epoch 17', -3], ['ünïcödé ✓ 𝄞', 2 ** 40 + 5], ['', 0]];
    const got = python(
      'import json, sys; sys.path.insert(0, sys.argv[1]); import stepwise_dss as d\n' +
      'cases = json.loads(sys.argv[2]); print(json.dumps({"hash": [d.hash_string(t, s) for t, s in cases], "order": [d.epoch_order(23, s, 3, True) for _, s in cases]}))',
      [bundle, JSON.stringify(cases)],
    ) as { hash: number[]; order: number[][] };
    expect(got.hash).toEqual(cases.map(([t, s]) => hashString(t, s)));
    expect(got.order).toEqual(cases.map(([, s]) => epochOrder(23, s, 3, true)));
  });

  it.runIf(hasTorch)('build_batches pads the bundle\'s ids into exactly the batches Stepwise trains on', async () => {
    const config = parseRunConfig(CONFIG);
    const got = python(
      'import json, sys; sys.path.insert(0, sys.argv[1]); import stepwise_dss as d\n' +
      'rows = [json.loads(l) for l in open(sys.argv[1] + "/data/train.jsonl")]\n' +
      'config = json.load(open(sys.argv[1] + "/run.json"))\n' +
      'task = lambda b: None if b is None else {k: v.tolist() for k, v in b.items()}\n' +
      'print(json.dumps([[{"label": task(l), "rationale": task(r)} for l, r in d.build_batches(rows, None, config, epoch=e)] for e in range(3)]))',
      [bundle],
    ) as { label: TaskBatch; rationale: TaskBatch | null }[][];
    for (let epoch = 0; epoch < 3; epoch++) {
      const { batches } = await stepwiseBatches(config, epoch);
      expect(got[epoch].map((b) => ({ label: b.label, rationale: b.rationale ?? undefined })), `epoch ${epoch}`).toEqual(batches.map((b) => ({ label: b.label, rationale: b.rationale })));
    }
    expect(got[0]).not.toEqual(got[1]);
  });

  it.runIf(hasTorch)('train_ray.py --check reads the bundle and plans the run with only torch installed', () => {
    const r = spawnSync(PYTHON, [join(bundle, 'train_ray.py'), '--check', '--bundle', bundle], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8'));
    expect(r.stdout).toContain(`${meta.total_steps} optimizer steps (${meta.steps_per_epoch} per epoch)`);
    expect(r.stdout).toContain('base model google/flan-t5-small');
  });

  it.runIf(hasYaml)('writes a KubeRay RayJob that parses as YAML with the cluster asked for', () => {
    const y = python('import json, sys, yaml; m = yaml.safe_load(open(sys.argv[1])); m["runtime"] = yaml.safe_load(m["spec"]["runtimeEnvYAML"]); print(json.dumps(m))', [join(bundle, 'rayjob.yaml')]) as {
      apiVersion: string; kind: string; metadata: { name: string };
      spec: { entrypoint: string; shutdownAfterJobFinishes: boolean; rayClusterSpec: { rayVersion: string; headGroupSpec: { rayStartParams: object; template: { spec: { containers: { image: string }[] } } }; workerGroupSpecs: { replicas: number; template: { spec: { containers: { image: string; resources: { limits: Record<string, unknown> } }[] } } }[] } };
      runtime: { working_dir: string; pip: string[] };
    };
    expect(y.apiVersion).toBe('ray.io/v1');
    expect(y.kind).toBe('RayJob');
    expect(y.metadata.name).toBe('stepwise-data');
    expect(y.spec.entrypoint).toMatch(/^python train_ray\.py --num-workers 8 --use-gpu /);
    const workers = y.spec.rayClusterSpec.workerGroupSpecs;
    expect(workers).toHaveLength(1);
    expect(workers[0].replicas).toBe(2);
    expect(workers[0].template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(4);
    const ray = /ray\[train\]==(\S+)/.exec(readFileSync(join(bundle, 'requirements.txt'), 'utf8'))![1];
    expect(y.spec.rayClusterSpec.rayVersion).toBe(ray);
    expect(y.spec.rayClusterSpec.headGroupSpec.template.spec.containers[0].image).toBe(`rayproject/ray:${ray}-py311-gpu`);
    expect(y.runtime.pip).toContain(`ray[train]==${ray}`);
    expect(y.runtime.pip.every((p) => /==/.test(p))).toBe(true);
  });
});
