// `stepwise sweep`: a grid of training runs (model x method x rank x alpha x seed) through one Node engine, one after
// another, kept in SWEEP_DIR: a run folder per configuration, queue.json, results.json and results.csv. The same
// command continues an interrupted sweep: finished and skipped configurations stay, the one that was training resumes
// from its latest checkpoint. A configuration whose memory plan does not fit is skipped ('does-not-fit', estimate in
// queue.json); an out-of-memory failure is recorded ('oom') and the next one starts. Ctrl-C pauses the sweep.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Engine } from '../engine/engine';
import type { RunData } from '../engine/run-api';
import { sweepExactMatch } from '../experiments/exact-match';
import { expandGrid, modelName, paperGrid, PAPER_ALPHAS, PAPER_MAX_RATIO, PAPER_METHODS, PAPER_RANKS, type GridSpec, type Trial } from '../experiments/grid';
import { mergeQueue, SweepQueue, type QueueEntry, type SweepState } from '../experiments/queue';
import { formatBytes } from '../experiments/recommend';
import { createNodeEngine } from '../hosts/node/engine';
import { createNodeGpu } from '../hosts/node/gpu';
import { FsSweepStore } from '../hosts/node/sweep-store';
import type { RunConfig, TuneMethod } from '../settings/run-config';
import { parseColumns, readJsonlRows } from './jsonl-rows';
import { formatDuration, ProgressBar } from './progress-bar';
import { configFromFlags } from './train';

export const SWEEP_USAGE = `  sweep --model DIR[,DIR2] --data FILE.jsonl --out SWEEP_DIR [--methods full,lora,qlora] [--ranks 32,64,128]
        [--alphas 32,64,128,256,512] [--max-ratio 4] [--seeds 42] [--paper-grid] [train flags]
      one run per configuration, one after another, in SWEEP_DIR (a run folder each, queue.json, results.json,
      results.csv); --paper-grid is the paper's grid (full, LoRA, QLoRA; ranks 32/64/128; alpha:rank 1:4..4:1).
      A configuration that will not fit is skipped (does-not-fit), an out-of-memory failure recorded (oom); the same
      command resumes an interrupted sweep; Ctrl-C pauses it`;

/** Train flags a sweep passes to every run (the grid owns method, rank, alpha, seed). */
export const TRAIN_FLAGS = ['lora-dropout', 'targets', 'lr', 'batch-size', 'grad-accum', 'epochs', 'max-steps', 'eval-fraction', 'max-input-length', 'max-target-length', 'dropout-rate', 'columns'] as const;
const TRAIN_SWITCHES = ['rslora', 'double-quant', 'no-shuffle'] as const;

export const SHARED_OPTIONS = {
  model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, methods: { type: 'string' }, seeds: { type: 'string' },
  ...Object.fromEntries(TRAIN_FLAGS.map((k) => [k, { type: 'string' }])),
  ...Object.fromEntries(TRAIN_SWITCHES.map((k) => [k, { type: 'boolean' }])),
} as const;

type Values = Record<string, string | boolean | undefined>;

/** "32,64" -> [32, 64], each checked; the flag is named on a bad entry. */
export function numberList(flag: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${flag} needs at least one value`);
  return items.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new Error(`--${flag}: "${s}" is not a number`);
    return v;
  });
}

export function methodList(text: string | undefined, fallback: TuneMethod[]): TuneMethod[] {
  if (text === undefined) return fallback;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of items) if (!['full', 'lora', 'qlora'].includes(m)) throw new Error(`--methods: "${m}" is not one of full, lora, qlora`);
  if (items.length === 0) throw new Error('--methods needs at least one of full, lora, qlora');
  return items as TuneMethod[];
}

/** The settings every run of the sweep shares, from the train flags (checked as `train` checks them). */
export function baseConfig(values: Values): Partial<RunConfig> {
  const flags: Values = {};
  for (const k of [...TRAIN_FLAGS, ...TRAIN_SWITCHES]) if (k !== 'columns' && k !== 'double-quant') flags[k] = values[k];
  const base = configFromFlags(flags);
  if (values['double-quant']) base.doubleQuant = true;
  return base;
}

export function modelsOf(text: string): GridSpec['models'] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((dir) => {
    const source = { kind: 'folder' as const, path: resolve(dir) };
    return { name: modelName(source), source };
  });
}

function entryLine(e: QueueEntry, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${e.trial.id}: ${e.status}`;
  if (e.status === 'does-not-fit' && e.memory) return `${head} (estimate ${formatBytes(e.memory.estimate.total)}; ${e.memory.reason ?? ''})`;
  if (e.status === 'oom' || e.status === 'failed') return `${head} (${e.error ?? ''})`;
  return head;
}

/**
 * Run (or resume) the trials in dir with one engine; prints one line per configuration, a progress bar while each
 * trains, and where the results are.
 */
export async function runTrials(kind: SweepState['kind'], trials: Trial[], data: RunData, dirText: string): Promise<number> {
  const dir = resolve(dirText);
  const store = new FsSweepStore(dir);
  const state = mergeQueue(await store.loadQueue(), trials, kind);
  const finished = state.entries.filter((e) => ['done', 'does-not-fit', 'oom', 'failed', 'cancelled'].includes(e.status)).length;
  process.stderr.write(`${kind} of ${state.entries.length} configurations in ${dirText}${finished ? ` (${finished} already finished: resuming)` : ''}\n`);
  const gpu = await createNodeGpu();
  try {
    const engine: Engine = createNodeEngine(gpu, { runsDir: dir });
    const queue = new SweepQueue(state, store, engine, data);
    let bar: ProgressBar | null = null;
    let asked = false;
    const onSigint = () => {
      if (asked) {
        process.stderr.write('\nstopped without saving\n');
        process.exit(130);
      }
      asked = true;
      process.stderr.write(`\npausing the ${kind} at the next step (the same command resumes it; Ctrl-C again to quit now)\n`);
      void queue.pause();
    };
    process.on('SIGINT', onSigint);
    const started = performance.now();
    try {
      const outcome = await queue.run({
        exactMatch: sweepExactMatch(engine, data),
        onEvent: (trial, e) => {
          if (e.type === 'plan') {
            bar?.finish();
            process.stderr.write(`${trial.id}: ${e.plan.totalSteps} steps, GPU memory estimate ${formatBytes(e.plan.memory.estimate.total)}\n`);
            bar = new ProgressBar(e.plan.totalSteps);
          } else if (e.type === 'metrics') bar?.metric(e.row);
        },
        onEntry: (e, i, n) => {
          bar?.finish();
          bar = null;
          process.stderr.write(`${entryLine(e, i, n)}\n`);
        },
      });
      const counts = new Map<string, number>();
      for (const e of queue.entries) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
      const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
      process.stderr.write(`${outcome === 'paused' ? 'paused' : 'finished'} in ${formatDuration((performance.now() - started) / 1000)}: ${summary} -> ${dirText}/results.json, results.csv\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    gpu.destroy();
  }
}

export async function readData(values: Values): Promise<RunData> {
  const { data, withoutRationale } = await readJsonlRows(values.data as string, parseColumns(values.columns as string | undefined));
  if (withoutRationale === data.rows.length) process.stderr.write(`${values.data}: no row has a rationale: every run trains label-only (a = 1)\n`);
  return data;
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { ...SHARED_OPTIONS, ranks: { type: 'string' }, alphas: { type: 'string' }, 'max-ratio': { type: 'string' }, 'paper-grid': { type: 'boolean' } },
  });
  const v = values as Values;
  for (const k of ['model', 'data', 'out'] as const) if (typeof v[k] !== 'string') throw new Error(`sweep needs --${k}`);
  if (v['paper-grid']) {
    const given = ['methods', 'ranks', 'alphas', 'max-ratio'].filter((k) => v[k] !== undefined);
    if (given.length) throw new Error(`--paper-grid sets the methods, ranks, alphas and ratio; leave out --${given[0]}`);
  }
  const base = baseConfig(v);
  const grid: GridSpec = v['paper-grid']
    ? { ...paperGrid(modelsOf(v.model as string), base), seeds: numberList('seeds', v.seeds as string | undefined, [42]) }
    : {
      models: modelsOf(v.model as string),
      methods: methodList(v.methods as string | undefined, [...PAPER_METHODS]),
      ranks: numberList('ranks', v.ranks as string | undefined, PAPER_RANKS),
      alphas: numberList('alphas', v.alphas as string | undefined, PAPER_ALPHAS),
      maxRatio: numberList('max-ratio', v['max-ratio'] as string | undefined, [PAPER_MAX_RATIO])[0],
      seeds: numberList('seeds', v.seeds as string | undefined, [42]),
      mixes: [0.5],
      base,
    };
  const trials = expandGrid(grid);
  const data = await readData(v);
  return runTrials('sweep', trials, data, v.out as string);
}
