// `npm run bench -- methods`: full fine-tuning vs LoRA vs QLoRA side by side, per model shape: step time,
// samples/s and GPU bytes by category, with the ratios the issue sets goals for (LoRA step <= 0.6x full on base,
// QLoRA step <= 1.15x LoRA, QLoRA frozen bytes <= 1.15x the NF4 theoretical size). A step is one DSS optimizer
// step (label and rationale tasks in one pass, a = 0.5, dropout on, AdamW). Random weights, generated tensor by tensor.
//
// Flags: --models tiny,small,base (default small,base; --quick: tiny,small)   --batch N --tin N --tout N
//        (default 8 x 128/128; --quick: 1 x 16/16)   --steps N (timed steps after one warm-up; default 2, --quick 1)
//        --r N --alpha N (default 128 / 512, the paper's)   --targets all-linear|attention (default all-linear)
//        --methods full,lora,qlora   --no-write (do not touch docs/benchmarks.md)
import { describeAdapter } from '../src/settings/adapter-name';
import type { Gpu } from '../src/gpu/gpu';
import { createNodeGpu } from '../src/hosts/node/gpu';
import type { T5Config } from '../src/model/config';
import { dssCapacity, DssStep } from '../src/model/dss-step';
import { adapterElements, attachLora, LORA_DEFAULTS } from '../src/model/lora';
import type { LoraPreset } from '../src/settings/presets';
import { frozenNf4Bytes, qloraLoadOptions } from '../src/model/qlora';
import { selectNf4Compute } from '../src/model/nf4-compute';
import { loadT5 } from '../src/model/t5-model';
import { T5Runner } from '../src/model/t5-runner';
import { optimizerStep } from '../src/train/accumulate';
import { ADAMW_DEFAULTS, AdamW } from '../src/train/optimizer';
import { readSection, writeSection } from './doc-section';
import type { Suite } from './run';
import { BENCH_MODELS, benchModel, randomDssBatch, randomReader } from './random-model';

export type Method = 'full' | 'lora' | 'qlora';

interface Flags extends StepSettings {
  models: string[];
  methods: Method[];
  write: boolean;
}

function parseFlags(args: string[]): Flags {
  const quick = args.includes('--quick');
  const known = new Set(['--quick', '--no-write', '--models', '--methods', '--batch', '--tin', '--tout', '--steps', '--r', '--alpha', '--targets']);
  for (let i = 0; i < args.length; i++) {
    if (!known.has(args[i])) throw new Error(`unknown flag ${args[i]}`);
    if (!['--quick', '--no-write'].includes(args[i])) i++;
  }
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    if (i >= 0 && args[i + 1] === undefined) throw new Error(`${name} needs a value`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const int = (name: string, fallback: number) => {
    const v = Number(value(name, String(fallback)));
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a positive integer`);
    return v;
  };
  const methods = value('--methods', 'full,lora,qlora').split(',') as Method[];
  for (const m of methods) if (!['full', 'lora', 'qlora'].includes(m)) throw new Error(`unknown method "${m}" (full, lora, qlora)`);
  const targets = value('--targets', 'all-linear') as LoraPreset;
  if (targets !== 'all-linear' && targets !== 'attention') throw new Error('--targets takes all-linear or attention');
  return {
    models: value('--models', quick ? 'tiny,small' : 'small,base').split(','),
    methods,
    batch: int('--batch', quick ? 1 : 8),
    tin: int('--tin', quick ? 16 : 128),
    tout: int('--tout', quick ? 16 : 128),
    steps: int('--steps', quick ? 1 : 2),
    r: int('--r', LORA_DEFAULTS.r),
    alpha: Number(value('--alpha', String(LORA_DEFAULTS.alpha))),
    targets,
    write: !args.includes('--no-write'),
  };
}

/** What one measured step needs: its shape, timed steps, and the LoRA adapter (growth.ts shares this). */
export interface StepSettings {
  batch: number;
  tin: number;
  tout: number;
  steps: number;
  r: number;
  alpha: number;
  targets: LoraPreset;
}

export interface Result {
  model: string;
  method: Method;
  seconds: number;
  batch: number;
  tin: number;
  tout: number;
  trainable: number;
  peak: Record<'weights' | 'grads' | 'optimizer' | 'activations' | 'scratch', number>;
  /** Bytes of the frozen base weights as held (f32, or NF4 codes + absmax for QLoRA). */
  frozen: number;
  /** QLoRA: NF4 bytes allocated and the theoretical 0.5 B/weight + 4 B/64-block. */
  nf4: { allocated: number; theoretical: number } | null;
}

/** One model x method: loaded with random weights, one warm-up step, then the mean of f.steps timed steps. */
export async function benchOne(gpu: Gpu, name: string, config: T5Config, method: Method, f: StepSettings): Promise<Result> {
  gpu.pool.resetPeak();
  const before = gpu.memory().live;
  const model = await loadT5(gpu, config, randomReader(config), { trainBase: method === 'full', ...(method === 'qlora' ? qloraLoadOptions() : {}) });
  if (method !== 'full') attachLora(gpu, model, { targets: f.targets, r: f.r, alpha: f.alpha, dropout: LORA_DEFAULTS.dropout, seed: 1 });
  // QLoRA computes in f16 where the adapter has shader-f16 (after a check on this device), else f32.
  if (method === 'qlora') console.log(`${name} qlora compute: ${await selectNf4Compute(gpu, model)}`);
  let frozen = 0;
  for (const p of model.params.params.values()) if (!p.grad && p.storage === 'dense') frozen += p.value.bytes;
  const nf4 = frozenNf4Bytes(model);
  frozen += nf4.allocated;
  const trainable = method === 'full' ? [...model.params.params.values()].reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0) : adapterElements(model);
  const runner = new T5Runner(gpu, model.dims, model.params, dssCapacity(gpu, model.dims, { B: f.batch, Tin: f.tin, Tout: f.tout }, true));
  const step = new DssStep(gpu, model, runner);
  const opt = new AdamW(gpu, model.params, { ...ADAMW_DEFAULTS, lr: 1e-4 });
  const batch = randomDssBatch(f.batch, f.tin, f.tout, config.vocab_size);
  try {
    await optimizerStep(step, model.params, opt, [batch], { seed: 0, a: 0.5 }); // warm-up: pipelines, records
    const t0 = performance.now();
    for (let i = 0; i < f.steps; i++) await optimizerStep(step, model.params, opt, [batch], { seed: i + 1, a: 0.5 });
    await gpu.finish();
    const seconds = (performance.now() - t0) / 1000 / f.steps;
    const m = gpu.memory().peak;
    const peak = {
      weights: m.weights - before.weights, grads: m.grads - before.grads, optimizer: m.optimizer - before.optimizer,
      activations: m.activations - before.activations, scratch: m.scratch - before.scratch,
    };
    return { model: name, method, seconds, batch: f.batch, tin: f.tin, tout: f.tout, trainable, peak, frozen, nf4: method === 'qlora' ? { allocated: nf4.allocated, theoretical: nf4.theoretical } : null };
  } finally {
    opt.free();
    step.free();
    runner.free();
    model.params.free();
  }
}

const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

/** The data rows of a methods table, by model (the first cell). */
function tableRows(section: string): { model: string; line: string }[] {
  return section.split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| model ') && !l.startsWith('| ---'))
    .map((line) => ({ model: line.split('|')[1].trim(), line }));
}

function row(r: Result, all: Result[]): string {
  const of = (m: Method) => all.find((x) => x.model === r.model && x.method === m);
  const ratio = r.method === 'lora' && of('full') ? `${(r.seconds / of('full')!.seconds).toFixed(2)}x full`
    : r.method === 'qlora' && of('lora') ? `${(r.seconds / of('lora')!.seconds).toFixed(2)}x LoRA` : '';
  const frozen = r.nf4 ? `${MiB(r.frozen)} (NF4 part ${MiB(r.nf4.allocated)} = ${(r.nf4.allocated / r.nf4.theoretical).toFixed(3)}x theory)` : MiB(r.frozen);
  const p = r.peak;
  return `| ${r.model} | ${r.method} | ${(r.trainable / 1e6).toFixed(2)}M | ${r.batch}x${r.tin}/${r.tout} | ${r.seconds.toFixed(3)} | ` +
    `${(r.batch / r.seconds).toFixed(2)} | ${ratio} | ${frozen} | ${MiB(p.weights)} | ${MiB(p.grads)} | ${MiB(p.optimizer)} | ${MiB(p.activations)} | ${MiB(p.scratch)} |`;
}

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  // strict: a kernel that fails to compile or validate aborts the run instead of timing nothing
  const gpu = await createNodeGpu({ strict: true });
  const adapter = describeAdapter(gpu.info);
  console.log(`adapter: ${adapter}`);
  const results: Result[] = [];
  for (const name of f.models) {
    const config = benchModel(name);
    for (const method of f.methods) {
      const r = await benchOne(gpu, name, config, method, f);
      results.push(r);
      console.log(`${name} ${method}: ${r.seconds.toFixed(3)} s/step`);
    }
  }
  // A run of some models keeps the rows of the others (e.g. `--models base` adds base rows under tiny and small).
  const order = Object.keys(BENCH_MODELS);
  const kept = f.write ? tableRows(readSection('methods') ?? '').filter((r) => !f.models.includes(r.model)) : [];
  const rows = [...kept, ...results.map((r) => ({ model: r.model, line: row(r, results) }))]
    .sort((a, b) => order.indexOf(a.model) - order.indexOf(b.model));
  const lora = `LoRA adapter: ${f.targets === 'all-linear' ? 'all linear (q,k,v,o,wi_0,wi_1,wo)' : 'attention (q,v)'}, r ${f.r}, alpha ${f.alpha}, dropout ${LORA_DEFAULTS.dropout}`;
  const body = [
    '## Methods: full fine-tuning vs LoRA vs QLoRA (`npm run bench -- methods`)',
    '',
    `GPU adapter: ${adapter}. ${lora}; QLoRA = the same adapter on an NF4 base (blocksize 64, no double quant).`,
    `One step = label and rationale tasks in one pass (a = 0.5, dropout on) + AdamW, mean of ${f.steps} after a warm-up (rows of models`,
    'measured in an earlier run are kept when a run names other models; each row gives its batch). Random weights.',
    'Bytes are the engine\'s peak allocations by category (measured); "frozen" is the non-trainable base as held',
    '(for QLoRA: NF4 linears plus DenseReluDense.wo, embeddings, lm_head and norms in f32, as Transformers keeps them).',
    'Goals (issue 5): LoRA step <= 0.6x full on base; QLoRA step <= 1.15x LoRA; QLoRA NF4 bytes <= 1.15x theory.',
    '',
    '| model | method | trainable | batch | s/step | samples/s | step ratio | frozen MiB | weights MiB | grads MiB | optimizer MiB | activations MiB | scratch MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => r.line),
  ].join('\n');
  if (f.write) writeSection('methods', body);
  console.log('\n' + body);
}

export const methodsSuite: Suite = { about: 'full vs LoRA vs QLoRA step time and memory, small/base-shaped T5 (--quick)', run };
