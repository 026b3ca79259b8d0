// `stepwise train`: a training run through the engine (createNodeEngine + RunApi), kept in RUN_DIR (run.json,
// metrics.jsonl, checkpoints/latest|best), with the plan shown before the start and a progress bar on stderr.
// `train --resume RUN_DIR [--max-steps N]` continues from the latest checkpoint. Ctrl-C pauses at the next step
// boundary (the run stays resumable); a second Ctrl-C quits at once.
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Engine } from '../engine/engine';
import type { RunEvent, RunPlan, RunRecord } from '../engine/run-api';
import { createNodeEngine } from '../hosts/node/engine';
import { createNodeGpu } from '../hosts/node/gpu';
import { parseRunConfig, type LoraSettings, type RunConfig } from '../settings/run-config';
import { readAdapterFolder } from './eval';
import { parseColumns, readJsonlRows } from './jsonl-rows';
import { formatDuration, ProgressBar } from './progress-bar';

export const TRAIN_USAGE = `  train --model DIR --data FILE.jsonl --out RUN_DIR [--method full|lora|qlora] [--rank R] [--alpha A]
        [--lora-dropout P] [--targets q,k,v,o,wi_0,wi_1,wo] [--rslora] [--double-quant] [--a 0.5] [--lr 5e-5]
        [--batch-size 8] [--grad-accum 1] [--epochs N] [--max-steps N] [--eval-fraction 0.2] [--seed 42]
        [--max-input-length 512] [--max-target-length 256] [--columns question=COL,label=COL,rationale=COL]
        [--dropout-rate P] [--no-shuffle] [--adapter ADAPTER_DIR]
      a Distilling Step-by-Step run (defaults: the paper's settings); RUN_DIR gets run.json, metrics.jsonl,
      checkpoints/latest and checkpoints/best (for LoRA/QLoRA with a PEFT adapter in adapter/). --adapter continues
      a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) instead of a fresh one: its r, alpha,
      dropout, targets and rsLoRA are the run's (a --rank etc. that differs is refused), AdamW starts fresh
  train --resume RUN_DIR [--max-steps N]
      continue a paused or interrupted run from its latest checkpoint`;

/** Flag -> where it lands in RunConfig, and how its text becomes a value. */
const NUMBER_FLAGS: Record<string, { key: keyof RunConfig | `lora.${keyof LoraSettings}` }> = {
  rank: { key: 'lora.rank' }, alpha: { key: 'lora.alpha' }, 'lora-dropout': { key: 'lora.dropout' }, a: { key: 'a' }, lr: { key: 'lr' },
  'batch-size': { key: 'batchSize' }, 'grad-accum': { key: 'gradAccum' }, epochs: { key: 'epochs' }, 'max-steps': { key: 'maxSteps' },
  'eval-fraction': { key: 'evalFraction' }, seed: { key: 'seed' }, 'max-input-length': { key: 'maxInputLength' },
  'max-target-length': { key: 'maxTargetLength' }, 'dropout-rate': { key: 'dropoutRate' },
};

const OPTIONS = {
  model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, resume: { type: 'string' }, method: { type: 'string' }, adapter: { type: 'string' },
  targets: { type: 'string' }, rslora: { type: 'boolean' }, 'double-quant': { type: 'boolean' }, columns: { type: 'string' },
  'no-shuffle': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((k) => [k, { type: 'string' }])),
} as const;

function number(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new Error(`--${flag} must be a number, got "${text}"`);
  return v;
}

/** The run settings the flags give (only those given; the engine completes them from the paper's defaults). */
export function configFromFlags(values: Record<string, string | boolean | undefined>): Partial<RunConfig> {
  const config: Record<string, unknown> = {};
  const lora: Record<string, unknown> = {};
  const set = (flag: string, key: string, value: unknown) => {
    // Check each flag alone, so a bad value is reported by its flag rather than its config key.
    const probe = key.startsWith('lora.') ? { lora: { [key.slice(5)]: value } } : { [key]: value };
    try {
      parseRunConfig(probe, `--${flag}`);
    } catch (e) {
      throw new Error((e as Error).message.replace(/^(--[\w-]+): (lora\.)?\w+ /, '$1 ').replace(' or null', ''));
    }
    if (key.startsWith('lora.')) lora[key.slice(5)] = value;
    else config[key] = value;
  };
  for (const [flag, { key }] of Object.entries(NUMBER_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') set(flag, key, number(flag, text));
  }
  if (typeof values.method === 'string') set('method', 'method', values.method);
  if (typeof values.targets === 'string') set('targets', 'lora.targets', values.targets.split(',').map((t) => t.trim()).filter(Boolean));
  if (values.rslora) set('rslora', 'lora.rslora', true);
  if (values['double-quant']) set('double-quant', 'doubleQuant', true);
  if (values['no-shuffle']) set('no-shuffle', 'shuffle', false);
  if (Object.keys(lora).length > 0) config.lora = lora;
  if (config.doubleQuant && config.method !== 'qlora') throw new Error('--double-quant needs --method qlora');
  return config as Partial<RunConfig>;
}

export function describePlan(plan: RunPlan, dataName: string, withoutRationale: number): string[] {
  const d = plan.data;
  const c = plan.config;
  const lines = [`data ${dataName}: ${d.rowsGiven} rows -> ${d.trainRows} train, ${d.evalRows} eval (seed ${c.seed}, eval fraction ${c.evalFraction})`];
  if (d.skipped.length > 0) {
    const shown = d.skipped.slice(0, 5).map((s) => `${s.rowId} (${s.reason})`).join(', ');
    lines.push(`  skipped ${d.skipped.length} rows: ${shown}${d.skipped.length > 5 ? ', ...' : ''}`);
  }
  if (d.labelOnly) lines.push(`  no row has a rationale: training label-only (a = 1)`);
  else if (withoutRationale > 0) lines.push(`  ${withoutRationale} rows have no rationale: they train the label task only`);
  if (d.invalidLabels > 0) lines.push(`  ${d.invalidLabels} labels are not valid Query DSL (kept)`);
  const cut = [
    ['label inputs', d.labelInputsTruncated], ['rationale inputs', d.rationaleInputsTruncated],
    ['label targets', d.labelTargetsTruncated], ['rationale targets', d.rationaleTargetsTruncated],
  ].filter(([, n]) => (n as number) > 0);
  if (cut.length > 0) lines.push(`  truncated (max input ${c.maxInputLength}, max target ${c.maxTargetLength}): ${cut.map(([w, n]) => `${n} ${w}`).join(', ')}`);
  if (d.addedCharacters.length > 0) {
    const rows = c.method === 'full' ? '' : '; their embedding rows train with the adapter';
    lines.push(`  added to the tokenizer: ${d.addedCharacters.map((ch) => JSON.stringify(ch)).join(' ')}${rows}`);
  }
  const lora = c.method === 'full' ? '' : ` r ${c.lora.rank}, alpha ${c.lora.alpha}${c.lora.rslora ? ' (rsLoRA)' : ''}, targets ${c.lora.targets.join(',')},`;
  lines.push(`method ${c.method}${lora} lr ${c.lr}, batch ${c.batchSize}${c.gradAccum > 1 ? ` x ${c.gradAccum}` : ''}, a ${d.labelOnly ? 1 : c.a}`);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  lines.push(`${plan.totalSteps} optimizer steps (${plan.stepsPerEpoch} per epoch); ${plan.trainableParams.toLocaleString('en')} of ${plan.totalParams.toLocaleString('en')} parameters train; GPU memory estimate ${mib(plan.memory.estimate.total)}`);
  const m = plan.memory;
  lines.push(`${m.passes === 1 ? 'one pass' : 'a pass per task'} of ${m.sequencesPerPass} sequences per micro-batch${m.sequencesPerPass > c.batchSize ? ' (label and rationale tasks together)' : ''}`);
  return lines;
}

/** Feeds run events to the bar and returns the listener. */
function listener(bar: ProgressBar, onPlan: (plan: RunPlan) => void): (e: RunEvent) => void {
  return (e) => {
    if (e.type === 'plan') {
      bar.setTotal(e.plan.totalSteps);
      onPlan(e.plan);
    } else if (e.type === 'metrics') bar.metric(e.row);
    else if (e.type === 'status') {
      if (e.status === 'tuning') bar.setStatus('tuning kernels');
      else if (e.status === 'evaluating' || e.status === 'saving') bar.setStatus(e.message ?? e.status);
    }
  };
}

/** First Ctrl-C pauses at the next step boundary; a second one exits. Returns the remover. */
function pauseOnInterrupt(engine: Engine, runId: () => string | null): () => void {
  let asked = false;
  const handler = () => {
    const id = runId();
    if (asked || !id) {
      process.stderr.write('\nstopped without saving\n');
      process.exit(130);
    }
    asked = true;
    process.stderr.write(`\npausing ${id} at the next step (Ctrl-C again to quit now)\n`);
    void engine.pauseRun(id);
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

function summary(record: RunRecord, dir: string): string {
  const f = record.final;
  const best = record.best ? `; best eval loss ${record.best.eval_loss.toFixed(4)} at step ${record.best.step}` : '';
  const loss = f?.loss !== null && f?.loss !== undefined ? `, loss ${f.loss.toFixed(4)}` : '';
  const verb = record.status === 'paused' ? `paused (resume: npm run cli -- train --resume ${dir})` : record.status;
  const from = record.startedFrom ? ` (continued from adapter ${record.startedFrom.adapter})` : '';
  return `${verb}${from}: step ${record.step}/${record.totalSteps}${loss}${best}; ${formatDuration(record.trainSeconds)} of training -> ${dir}`;
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const v = values as Record<string, string | boolean | undefined>;
  if (typeof v.resume === 'string') {
    const others = Object.keys(v).filter((k) => v[k] !== undefined && k !== 'resume' && k !== 'max-steps');
    if (others.length > 0) throw new Error(`--resume continues a run with its own settings; --${others[0]} cannot change them (only --max-steps can)`);
    const dir = resolve(v.resume);
    if (!existsSync(`${dir}/run.json`)) throw new Error(`${v.resume} is not a run folder (no run.json)`);
    const maxSteps = typeof v['max-steps'] === 'string' ? configFromFlags({ 'max-steps': v['max-steps'] }).maxSteps ?? undefined : undefined;
    return withEngine(dirname(dir), async (engine) => {
      const id = basename(dir);
      const bar = new ProgressBar(0);
      const onPlan = (plan: RunPlan) => process.stderr.write(`resuming ${id}: ${plan.totalSteps} steps in all\n`);
      return runWithBar(engine, id, bar, v.resume as string, (events) => engine.resumeRun(id, events, maxSteps !== undefined ? { maxSteps } : {}), onPlan);
    });
  }
  for (const k of ['model', 'data', 'out'] as const) if (typeof v[k] !== 'string') throw new Error(`train needs --${k} (or --resume RUN_DIR)`);
  const config = configFromFlags(v);
  const { data, withoutRationale } = await readJsonlRows(v.data as string, parseColumns(v.columns as string | undefined));
  const adapter = typeof v.adapter === 'string' ? { label: basename(resolve(v.adapter)), files: await readAdapterFolder(v.adapter) } : undefined;
  const dir = resolve(v.out as string);
  if (existsSync(`${dir}/run.json`)) throw new Error(`${v.out} already holds a run; resume it with --resume ${v.out} or choose a new folder`);
  return withEngine(dirname(dir), async (engine) => {
    const id = basename(dir);
    const bar = new ProgressBar(0);
    const from = adapter ? [`continuing adapter ${v.adapter} (its weights train on; AdamW starts fresh)`] : [];
    const onPlan = (plan: RunPlan) => process.stderr.write(`${[...from, ...describePlan(plan, data.name, withoutRationale)].join('\n')}\n`);
    const model = { kind: 'folder' as const, path: resolve(v.model as string) };
    return runWithBar(engine, id, bar, v.out as string, (events) => engine.startRun({ id, config, model, data, ...(adapter ? { adapter } : {}) }, events), onPlan);
  });
}

/** A GPU and a Node engine keeping runs under runsDir, for the length of fn. */
async function withEngine(runsDir: string, fn: (engine: Engine) => Promise<number>): Promise<number> {
  const gpu = await createNodeGpu();
  try {
    return await fn(createNodeEngine(gpu, { runsDir }));
  } finally {
    gpu.destroy();
  }
}

/** Runs start/resume with the bar fed by its events and Ctrl-C pausing; prints the outcome. */
async function runWithBar(engine: Engine, id: string, bar: ProgressBar, dirText: string, go: (events: (e: RunEvent) => void) => Promise<RunRecord>, onPlan: (plan: RunPlan) => void): Promise<number> {
  const stop = pauseOnInterrupt(engine, () => id);
  try {
    const record = await go(listener(bar, onPlan));
    bar.finish();
    process.stderr.write(`${summary(record, dirText)}\n`);
    return 0;
  } finally {
    bar.finish();
    stop();
  }
}
