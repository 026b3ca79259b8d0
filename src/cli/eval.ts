// `stepwise eval`: the DSS eval loss per task of a base model, a PEFT adapter on it, or a run's checkpoint, on a
// JSONL file split as a run splits it (through the engine's evaluate()). Writes EVAL.json and prints the losses.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvalSettings, EvalSplit } from '../engine/evaluation';
import { adapterBase } from '../engine/adapter-base';
import type { FileRecord } from '../engine/run-api';
import { createNodeEngine } from '../hosts/node/engine';
import { createNodeGpu } from '../hosts/node/gpu';
import { configFromFlags } from './train';
import { parseColumns, readJsonlRows } from './jsonl-rows';

export const EVAL_USAGE = `  eval --model DIR [--adapter DIR [--nf4 [--double-quant]] | --run RUN_DIR [--checkpoint latest|best]]
        --data FILE.jsonl [--split eval|train|all] --out EVAL.json
        [--columns ...] [--a A] [--batch-size N] [--seed N] [--eval-fraction F] [--max-input-length N] [--max-target-length N]
      eval loss per task (label, rationale, total) on the split a run with those settings makes (default: the eval
      split); --run takes the run's settings, weights and tokenizer. A QLoRA adapter needs its base stored as NF4
      as it trained: read from the adapter's README.md model card (Stepwise writes one with every adapter); a
      PEFT adapter_config.json has no field for it, so for an adapter without that card pass --nf4 [--double-quant]`;

const SETTING_FLAGS = ['a', 'batch-size', 'seed', 'eval-fraction', 'max-input-length', 'max-target-length'] as const;

const OPTIONS = {
  model: { type: 'string' }, adapter: { type: 'string' }, run: { type: 'string' }, checkpoint: { type: 'string' }, data: { type: 'string' },
  split: { type: 'string' }, out: { type: 'string' }, columns: { type: 'string' }, nf4: { type: 'boolean' }, 'double-quant': { type: 'boolean' },
  ...Object.fromEntries(SETTING_FLAGS.map((k) => [k, { type: 'string' }])),
} as const;

/** An adapter folder's files (the PEFT pair, the tokenizer files and the README.md model card an export carries). */
export async function readAdapterFolder(dir: string): Promise<FileRecord> {
  if (!existsSync(join(dir, 'adapter_config.json'))) throw new Error(`${dir} is not a PEFT adapter folder (no adapter_config.json)`);
  const files: FileRecord = {};
  for (const name of await readdir(dir)) {
    if (name.endsWith('.json') || name === 'README.md') files[name] = await readFile(join(dir, name), 'utf8');
    else if (name.endsWith('.safetensors')) files[name] = new Uint8Array(await readFile(join(dir, name)));
  }
  return files;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const v = values as Record<string, string | boolean | undefined>;
  for (const k of ['model', 'data', 'out'] as const) if (typeof v[k] !== 'string') throw new Error(`eval needs --${k}`);
  if (v.adapter && v.run) throw new Error('give --adapter DIR or --run RUN_DIR, not both');
  if (v.checkpoint && !v.run) throw new Error('--checkpoint picks a checkpoint of --run RUN_DIR');
  if ((v.nf4 || v['double-quant']) && !v.adapter) throw new Error('--nf4 and --double-quant load the base under --adapter as QLoRA did (a --run knows its method)');
  const split = (v.split ?? 'eval') as EvalSplit;
  if (!['eval', 'train', 'all'].includes(split)) throw new Error(`--split must be eval, train or all, got "${split}"`);
  const checkpoint = (v.checkpoint ?? 'latest') as 'best' | 'latest';
  if (!['best', 'latest'].includes(checkpoint)) throw new Error(`--checkpoint must be latest or best, got "${checkpoint}"`);
  const settings = configFromFlags(Object.fromEntries(SETTING_FLAGS.map((k) => [k, v[k]]))) as EvalSettings;
  const adapter = typeof v.adapter === 'string' ? await readAdapterFolder(v.adapter) : undefined;
  if (adapter) {
    const readme = adapter['README.md'];
    const base = adapterBase(typeof readme === 'string' ? readme : undefined, v.adapter as string, { nf4: !!v.nf4, doubleQuant: !!v['double-quant'] });
    if (base.note) process.stderr.write(`${base.note}\n`);
    Object.assign(settings, base.nf4 ? { method: 'qlora', doubleQuant: base.doubleQuant } : { method: 'lora' });
  } else if (!v.run) settings.method = 'full';
  const { data } = await readJsonlRows(v.data as string, parseColumns(v.columns as string | undefined));
  const runDir = typeof v.run === 'string' ? resolve(v.run) : null;
  if (runDir && !existsSync(join(runDir, 'run.json'))) throw new Error(`${v.run} is not a run folder (no run.json)`);
  const gpu = await createNodeGpu();
  try {
    const engine = createNodeEngine(gpu, runDir ? { runsDir: dirname(runDir) } : {});
    const report = await engine.evaluate({
      model: { kind: 'folder', path: resolve(v.model as string) }, adapter, data, split, settings,
      run: runDir ? { id: basename(runDir), checkpoint } : undefined,
    });
    await writeFile(v.out as string, `${JSON.stringify(report, null, 1)}\n`);
    const r = report.eval_loss_rationale === null ? '' : `, rationale ${report.eval_loss_rationale.toFixed(6)}`;
    process.stderr.write(`${split} split, ${report.rows} rows: eval loss ${report.eval_loss.toFixed(6)} (label ${report.eval_loss_label.toFixed(6)}${r}, a ${report.a}) -> ${v.out}\n`);
    return 0;
  } finally {
    gpu.destroy();
  }
}
