// `npm run bench -- profile`: where one optimizer step goes. One warm step, then timed steps counting what the
// engine asks of the device (dispatches, submits, readbacks, buffer allocations, bind groups, clears, host writes),
// then one step timed on the GPU per program with timestamp queries where the adapter has them; the same for one
// generated token (greedy, KV cache). The table goes to docs/benchmarks.md; --json FILE writes the figures.
//
// Flags: --model tiny|small|base (default tiny)   --method full|lora|qlora (or a comma list; default full)
//        --batch B --tin T --tout T (default 1 x 16/16)   --steps N (timed steps, default 2)
//        --json FILE   --no-write (do not touch docs/benchmarks.md)   --label TEXT (names the doc section's run)
//        --compare FILE (an earlier --json of the same model and methods: adds before/after ratios to the table)
import { readFileSync, writeFileSync } from 'node:fs';
import { autotunerFor, createAutotuner } from '../src/gpu/autotune';
import type { Gpu, GpuCounters } from '../src/gpu/gpu';
import type { ProgramTime } from '../src/gpu/profiler';
import { FileAutotuneStore } from '../src/hosts/node/autotune-store';
import { createNodeGpu } from '../src/hosts/node/gpu';
import { dssCapacity, DssStep } from '../src/model/dss-step';
import { T5Generator } from '../src/model/generate';
import { attachLora, LORA_DEFAULTS } from '../src/model/lora';
import { selectNf4Compute } from '../src/model/nf4-compute';
import { qloraLoadOptions } from '../src/model/qlora';
import { loadT5, type T5Model } from '../src/model/t5-model';
import { T5Runner } from '../src/model/t5-runner';
import { describeAdapter } from '../src/settings/adapter-name';
import { optimizerStep } from '../src/train/accumulate';
import { ADAMW_DEFAULTS, AdamW } from '../src/train/optimizer';
import { writeSection } from './doc-section';
import { benchModel, randomDssBatch, randomReader } from './random-model';
import type { Suite } from './run';

type Method = 'full' | 'lora' | 'qlora';

interface Flags {
  model: string;
  methods: Method[];
  batch: number;
  tin: number;
  tout: number;
  steps: number;
  json: string | null;
  write: boolean;
  label: string;
  compare: string | null;
}

const VALUED = ['--model', '--method', '--batch', '--tin', '--tout', '--steps', '--json', '--label', '--compare'];

function parseFlags(args: string[]): Flags {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--no-write') continue;
    if (!VALUED.includes(args[i])) throw new Error(`unknown flag ${args[i]} (flags: ${VALUED.join(' ')} --no-write)`);
    if (args[i + 1] === undefined) throw new Error(`${args[i]} needs a value`);
    i++;
  }
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const int = (name: string, fallback: number) => {
    const v = Number(value(name, String(fallback)));
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a positive integer`);
    return v;
  };
  const methods = value('--method', 'full').split(',') as Method[];
  for (const m of methods) if (!['full', 'lora', 'qlora'].includes(m)) throw new Error(`unknown method "${m}" (full, lora, qlora)`);
  const model = value('--model', 'tiny');
  benchModel(model); // names the known models when this one is not
  return {
    model, methods, batch: int('--batch', 1), tin: int('--tin', 16), tout: int('--tout', 16), steps: int('--steps', 2),
    json: args.includes('--json') ? value('--json', '') : null, write: !args.includes('--no-write'), label: value('--label', 'latest'),
    compare: args.includes('--compare') ? value('--compare', '') : null,
  };
}

/** Counts per unit (step or token) of one span. */
type Counts = GpuCounters;

interface Span {
  seconds: number;
  counts: Counts;
  /** Sorted by GPU time, largest first; empty without timestamp queries. */
  programs: [string, ProgramTime][];
}

export interface ProfileResult {
  model: string;
  method: Method;
  shape: string;
  step: Span;
  token: Span;
}

function perUnit(a: GpuCounters, b: GpuCounters, units: number): Counts {
  const out = {} as Counts;
  for (const k of Object.keys(a) as (keyof GpuCounters)[]) out[k] = (b[k] - a[k]) / units;
  return out;
}

const sorted = (times: Map<string, ProgramTime>) => [...times.entries()].sort((x, y) => y[1].gpuSeconds - x[1].gpuSeconds);

async function loadModel(gpu: Gpu, f: Flags, method: Method): Promise<T5Model> {
  const config = benchModel(f.model);
  const model = await loadT5(gpu, config, randomReader(config), { trainBase: method === 'full', ...(method === 'qlora' ? qloraLoadOptions() : {}) });
  if (method !== 'full') attachLora(gpu, model, { targets: 'all-linear', r: LORA_DEFAULTS.r, alpha: LORA_DEFAULTS.alpha, dropout: LORA_DEFAULTS.dropout, seed: 1 });
  if (method === 'qlora') await selectNf4Compute(gpu, model);
  return model;
}

async function profileStep(gpu: Gpu, model: T5Model, f: Flags): Promise<Span> {
  const runner = new T5Runner(gpu, model.dims, model.params, dssCapacity(gpu, model.dims, { B: f.batch, Tin: f.tin, Tout: f.tout }, true));
  const step = new DssStep(gpu, model, runner);
  const opt = new AdamW(gpu, model.params, { ...ADAMW_DEFAULTS, lr: 1e-4 });
  const batch = randomDssBatch(f.batch, f.tin, f.tout, model.dims.V);
  const one = (seed: number) => optimizerStep(step, model.params, opt, [batch], { seed, a: 0.5 });
  try {
    await one(0); // warm-up: pipelines, records, shapes to tune
    await autotunerFor(gpu).tunePending();
    await one(1); // the tuned variants' pipelines
    await gpu.finish();
    const c0 = gpu.counters();
    const t0 = performance.now();
    for (let i = 0; i < f.steps; i++) await one(i + 2);
    await gpu.finish();
    const seconds = (performance.now() - t0) / 1000 / f.steps;
    const counts = perUnit(c0, gpu.counters(), f.steps);
    gpu.startProfile();
    await one(f.steps + 2);
    const programs = sorted(await gpu.stopProfile());
    return { seconds, counts, programs };
  } finally {
    opt.free();
    step.free();
    runner.free();
  }
}

/** One generated token: the span between the second and third tokens of a greedy decode (eos forbidden). */
async function profileToken(gpu: Gpu, model: T5Model, f: Flags): Promise<Span> {
  const gen = new T5Generator(model, gpu, f.batch, f.tin, 4);
  const batch = randomDssBatch(f.batch, f.tin, f.tout, model.dims.V).label;
  const eos = model.dims.eos;
  const decode = (onStep: (t: number) => Promise<void> | void) =>
    gen.generate(batch.input_ids, batch.attention_mask, {
      maxNewTokens: 4,
      hooks: { processLogits: (logits, V) => { for (let r = 0; r < logits.length / V; r++) logits[r * V + eos] = -Infinity; }, onStep: (_, __, t) => onStep(t) },
    });
  try {
    await decode(() => {}); // warm-up
    let c0 = gpu.counters();
    let t0 = 0;
    let seconds = 0;
    let counts = perUnit(c0, c0, 1);
    await decode((t) => {
      if (t === 1) { c0 = gpu.counters(); t0 = performance.now(); }
      if (t === 2) { seconds = (performance.now() - t0) / 1000; counts = perUnit(c0, gpu.counters(), 1); }
    });
    let programs: [string, ProgramTime][] = [];
    await decode(async (t) => {
      if (t === 1) gpu.startProfile();
      if (t === 2) programs = sorted(await gpu.stopProfile());
    });
    return { seconds, counts, programs };
  } finally {
    gen.free();
  }
}

const ms = (s: number) => (s * 1000).toFixed(1);

function programTable(span: Span, top = 15): string[] {
  const total = span.programs.reduce((s, [, p]) => s + p.gpuSeconds, 0);
  if (total === 0) return ['(no timestamp queries on this adapter: GPU time per program unavailable)'];
  const rows = span.programs.slice(0, top).map(([name, p]) =>
    `| ${name} | ${p.dispatches} | ${ms(p.gpuSeconds)} | ${((100 * p.gpuSeconds) / total).toFixed(1)}% |`);
  const rest = span.programs.slice(top);
  if (rest.length) {
    const g = rest.reduce((s, [, p]) => s + p.gpuSeconds, 0);
    rows.push(`| (${rest.length} others) | ${rest.reduce((s, [, p]) => s + p.dispatches, 0)} | ${ms(g)} | ${((100 * g) / total).toFixed(1)}% |`);
  }
  return ['| program | dispatches | GPU ms | share |', '| --- | --- | --- | --- |', ...rows, `| total | ${span.programs.reduce((s, [, p]) => s + p.dispatches, 0)} | ${ms(total)} | 100% |`];
}

function countsRow(what: string, r: ProfileResult, span: Span): string {
  const c = span.counts;
  return `| ${r.model} | ${r.method} | ${r.shape} | ${what} | ${span.seconds.toFixed(3)} | ${c.dispatches} | ${c.submits} | ${c.readbacks} | ${c.allocations} | ${c.bindGroups} | ${c.clears} | ${c.writes} |`;
}

export function countsTable(results: ProfileResult[]): string[] {
  return [
    '| model | method | batch | per | seconds | dispatches | submits | readbacks | allocations | bind groups | clears | host writes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.flatMap((r) => [countsRow('optimizer step', r, r.step), countsRow('generated token', r, r.token)]),
  ];
}

/** The fields of an earlier --json this suite compares against. */
interface Baseline {
  method: string;
  step_seconds: number;
  dispatches_per_step: number;
  submits_per_step: number;
  readbacks_per_step: number;
  allocations_per_step: number;
  token: { seconds: number; dispatches: number; submits: number; readbacks: number; allocations: number };
}

function compareTable(results: ProfileResult[], file: string): string[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Baseline | Baseline[];
  const before = Array.isArray(raw) ? raw : [raw];
  const pair = (a: number, b: number, digits = 0) => `${a.toFixed(digits)} -> ${b.toFixed(digits)} (${a > 0 ? `${(b / a).toFixed(2)}x` : 'n/a'})`;
  const rows = results.flatMap((r) => {
    const b = before.find((x) => x.method === r.method);
    if (!b) return [];
    const s = r.step.counts;
    const t = r.token.counts;
    return [
      `| ${r.method} | optimizer step | ${pair(b.step_seconds, r.step.seconds, 3)} | ${pair(b.dispatches_per_step, s.dispatches)} | ${pair(b.submits_per_step, s.submits)} | ${pair(b.readbacks_per_step, s.readbacks)} | ${pair(b.allocations_per_step, s.allocations)} |`,
      `| ${r.method} | generated token | ${pair(b.token.seconds, r.token.seconds, 3)} | ${pair(b.token.dispatches, t.dispatches)} | ${pair(b.token.submits, t.submits)} | ${pair(b.token.readbacks, t.readbacks)} | ${pair(b.token.allocations, t.allocations)} |`,
    ];
  });
  return [
    `Before -> after (${file.split('/').at(-1)}; ratio after/before):`,
    '',
    '| method | per | seconds | dispatches | submits | readbacks | allocations |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

function json(results: ProfileResult[], adapter: string): unknown {
  const programs = (s: Span) => Object.fromEntries(s.programs.map(([n, p]) => [n, { gpu_seconds: p.gpuSeconds, dispatches: p.dispatches }]));
  const one = (r: ProfileResult) => ({
    model: r.model, method: r.method, shape: r.shape, adapter,
    step_seconds: r.step.seconds,
    dispatches_per_step: r.step.counts.dispatches, submits_per_step: r.step.counts.submits, readbacks_per_step: r.step.counts.readbacks,
    allocations_per_step: r.step.counts.allocations, bind_groups_per_step: r.step.counts.bindGroups, clears_per_step: r.step.counts.clears,
    writes_per_step: r.step.counts.writes, per_program: programs(r.step),
    token: {
      seconds: r.token.seconds, dispatches: r.token.counts.dispatches, submits: r.token.counts.submits, readbacks: r.token.counts.readbacks,
      allocations: r.token.counts.allocations, bind_groups: r.token.counts.bindGroups, per_program: programs(r.token),
    },
  });
  return results.length === 1 ? one(results[0]) : results.map(one);
}

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const gpu = await createNodeGpu({ strict: true });
  await createAutotuner(gpu, new FileAutotuneStore());
  const adapter = describeAdapter(gpu.info);
  console.log(`adapter: ${adapter}${gpu.info.timestamps ? '' : ' (no timestamp queries)'}`);
  const results: ProfileResult[] = [];
  for (const method of f.methods) {
    const model = await loadModel(gpu, f, method);
    try {
      const step = await profileStep(gpu, model, f);
      const token = await profileToken(gpu, model, f);
      const r = { model: f.model, method, shape: `${f.batch}x${f.tin}/${f.tout}`, step, token };
      results.push(r);
      console.log(countsRow('optimizer step', r, step));
      console.log(countsRow('generated token', r, token));
    } finally {
      model.params.free();
    }
  }
  const body = [
    `## Profile: where a step goes (\`npm run bench -- profile\`), ${f.label}`,
    '',
    `Adapter: ${adapter}. Per optimizer step (one DSS micro-batch: label and rationale tasks in one pass, a = 0.5, dropout on, AdamW`,
    `with clipping; mean of ${f.steps} after two warm-up steps) and per generated token (greedy, KV cache, the third`,
    'token of a decode). Counts are exact; seconds are wall time on a shared machine (noisy). GPU ms per program come',
    'from timestamp queries around each dispatch in one further step (a pass per dispatch, so they add up to more',
    'than the unprofiled step on a real GPU; on SwiftShader they are CPU time).',
    '',
    ...countsTable(results),
    '',
    ...(f.compare ? [...compareTable(results, f.compare), ''] : []),
    ...results.flatMap((r) => [
      `### ${r.model} ${r.method} ${r.shape}: optimizer step, GPU time by program`, '', ...programTable(r.step), '',
      `### ${r.model} ${r.method} ${r.shape}: one generated token, GPU time by program`, '', ...programTable(r.token, 10), '',
    ]),
  ].join('\n');
  if (f.write) writeSection(`profile-${f.label}`, body);
  if (f.json) writeFileSync(f.json, JSON.stringify(json(results, adapter), null, 2) + '\n');
  console.log('\n' + body);
}

export const profileSuite: Suite = {
  about: 'one optimizer step and one generated token: GPU time per program, dispatches/submits/readbacks/allocations (--model --method --json)',
  run,
};
