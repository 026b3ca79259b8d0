// `npm run bench -- growth`: how a training step's time grows as the input length doubles (64 -> 512, batch 1,
// target length fixed) and as the batch doubles (1 -> 8, input length fixed), per method (full, LoRA, QLoRA), on the
// tiny model. Writes a table with each point's ratio to the first and the fitted exponent (time ~ x^k: k = 1 is
// linear, 2 quadratic) to docs/benchmarks.md (growth section) and a plot to docs/images/growth.png.
//
// Flags: --lengths 64,128,256,512   --batches 1,2,4,8   --tout N (target length, default 16)
//        --batch-tin N (input length of the batch sweep, default 64)   --methods full,lora,qlora
//        --steps N (timed steps per point after a warm-up; default 1)   --model tiny|small|base (default tiny)
//        --quick (lengths 16,32, batches 1,2, 16-token batch sweep: checks the suite, writes nothing)
//        --no-write (print only; the plot goes to the temp folder)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeGpu } from '../src/hosts/node/gpu';
import { svgToPng } from '../src/hosts/node/svg-png';
import { LORA_DEFAULTS } from '../src/model/lora';
import { describeAdapter } from '../src/settings/adapter-name';
import { writeSection } from './doc-section';
import { growthSvg, type GrowthPanel } from './growth-chart';
import { benchOne, type Method, type StepSettings } from './methods';
import { benchModel } from './random-model';
import type { Suite } from './run';

const PLOT = fileURLToPath(new URL('../docs/images/growth.png', import.meta.url));

interface Flags {
  model: string;
  methods: Method[];
  lengths: number[];
  batches: number[];
  tout: number;
  batchTin: number;
  steps: number;
  write: boolean;
}

const VALUED = ['--lengths', '--batches', '--tout', '--batch-tin', '--methods', '--steps', '--model'];

function parseFlags(args: string[]): Flags {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--quick' || args[i] === '--no-write') continue;
    if (!VALUED.includes(args[i])) throw new Error(`unknown flag ${args[i]} (flags: ${VALUED.join(' ')} --quick --no-write)`);
    if (args[i + 1] === undefined) throw new Error(`${args[i]} needs a value`);
    i++;
  }
  const quick = args.includes('--quick');
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const ints = (name: string, fallback: string) => {
    const vs = value(name, fallback).split(',').map(Number);
    if (vs.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} takes positive integers separated by commas`);
    return vs;
  };
  const methods = value('--methods', 'full,lora,qlora').split(',') as Method[];
  for (const m of methods) if (!['full', 'lora', 'qlora'].includes(m)) throw new Error(`unknown method "${m}" (full, lora, qlora)`);
  const model = value('--model', 'tiny');
  benchModel(model);
  return {
    model, methods,
    lengths: ints('--lengths', quick ? '16,32' : '64,128,256,512'),
    batches: ints('--batches', quick ? '1,2' : '1,2,4,8'),
    tout: ints('--tout', '16')[0],
    batchTin: ints('--batch-tin', quick ? '16' : '64')[0],
    steps: ints('--steps', '1')[0],
    write: !quick && !args.includes('--no-write'),
  };
}

/** k in time ~ x^k, least squares on log2 x and log2 time. */
export function growthExponent(points: readonly [number, number][]): number {
  const n = points.length;
  const lx = points.map(([x]) => Math.log2(x));
  const ly = points.map(([, y]) => Math.log2(y));
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return den ? num / den : NaN;
}

function describeGrowth(k: number): string {
  if (k < 0.35) return 'nearly flat: fixed cost per step';
  if (k < 0.8) return 'sub-linear';
  if (k < 1.25) return 'about linear';
  if (k < 1.7) return 'between linear and quadratic';
  return 'about quadratic';
}

interface Sweep {
  name: string;
  axis: string;
  xs: number[];
  shape: (x: number) => { batch: number; tin: number; tout: number };
}

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const config = benchModel(f.model);
  const gpu = await createNodeGpu({ strict: true });
  const adapter = describeAdapter(gpu.info);
  console.log(`adapter: ${adapter}`);
  const sweeps: Sweep[] = [
    { name: 'input length', axis: 'input tokens (batch 1)', xs: f.lengths, shape: (x) => ({ batch: 1, tin: x, tout: f.tout }) },
    { name: 'batch', axis: `batch (${f.batchTin}/${f.tout} tokens)`, xs: f.batches, shape: (x) => ({ batch: x, tin: f.batchTin, tout: f.tout }) },
  ];
  // A shape both sweeps hold (batch 1 at the batch sweep's length) is measured once.
  const measured = new Map<string, number>();
  const started = performance.now();
  const seconds = async (method: Method, s: { batch: number; tin: number; tout: number }) => {
    const key = `${method} ${s.batch}x${s.tin}/${s.tout}`;
    const known = measured.get(key);
    if (known !== undefined) return known;
    const settings: StepSettings = { ...s, steps: f.steps, r: LORA_DEFAULTS.r, alpha: LORA_DEFAULTS.alpha, targets: 'all-linear' };
    const r = await benchOne(gpu, f.model, config, method, settings);
    console.log(`${key}: ${r.seconds.toFixed(3)} s/step`);
    measured.set(key, r.seconds);
    return r.seconds;
  };
  const panels: GrowthPanel[] = [];
  const rows: string[] = [];
  for (const sweep of sweeps) {
    const panel: GrowthPanel = { title: `Step time vs ${sweep.name}`, xLabel: sweep.axis, series: [] };
    for (const method of f.methods) {
      const points: [number, number][] = [];
      for (const x of sweep.xs) points.push([x, await seconds(method, sweep.shape(x))]);
      panel.series.push({ method, points });
      const first = points[0][1];
      const k = growthExponent(points);
      const cells = points.map(([, y]) => `${y.toFixed(3)} (${(y / first).toFixed(2)}x)`);
      rows.push(`| ${sweep.name} | ${method} | ${cells.join(' | ')} | ${k.toFixed(2)} | ${describeGrowth(k)} |`);
    }
    panels.push(panel);
  }
  const wall = (performance.now() - started) / 1000;
  const header = (sweep: Sweep) => `| sweep | method | ${sweep.xs.map((x) => `${sweep.name === 'batch' ? 'batch ' : ''}${x}`).join(' | ')} | k in time ~ x^k | growth |`;
  const table = (sweep: Sweep, i: number) => [header(sweep), `| --- | --- | ${sweep.xs.map(() => '---').join(' | ')} | --- | --- |`,
    ...rows.slice(i * f.methods.length, (i + 1) * f.methods.length)];
  const body = [
    '## Growth: step time as the input length and the batch double (`npm run bench -- growth`)',
    '',
    `Adapter: ${adapter}. Model: ${f.model}-shaped T5, random weights. One step = label and rationale tasks in one pass (a = 0.5,`,
    `dropout on) + AdamW; each point is the mean of ${f.steps} step(s) after a warm-up step, seconds per step with its ratio to`,
    'the first point. LoRA: all linear layers, r 128, alpha 512; QLoRA: the same adapter on an NF4 base.',
    `Input length sweep: batch 1, target length fixed at ${f.tout} tokens. Batch sweep: ${f.batchTin} input / ${f.tout} target tokens.`,
    'k is the least-squares slope of log2(time) against log2(x): 1 = time doubles with x (linear), 2 = quadratic,',
    'near 0 = the fixed per-step cost (dispatches, optimizer, the vocabulary-sized embedding and head) dominates.',
    `Wall time for the suite: ${wall.toFixed(0)} s on a shared 2-core machine (other work running; ratios matter more than seconds).`,
    '',
    ...table(sweeps[0], 0),
    '',
    ...table(sweeps[1], 1),
    '',
    '![step time vs input length and batch](images/growth.png)',
  ].join('\n');
  const png = svgToPng(growthSvg(panels, `Step time growth, ${f.model} model`));
  if (f.write) {
    writeSection('growth', body);
    mkdirSync(dirname(PLOT), { recursive: true });
    writeFileSync(PLOT, png);
  } else {
    const preview = join(tmpdir(), 'stepwise-growth.png');
    writeFileSync(preview, png);
    console.log(`plot (not written to docs): ${preview}`);
  }
  console.log('\n' + body);
}

export const growthSuite: Suite = { about: 'step time as input length (64->512) and batch (1->8) double, per method, tiny model (--quick)', run };
