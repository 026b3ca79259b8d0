// `npm run bench -- model`: full fine-tuning step time, samples/s and GPU bytes by category for random T5
// models (tiny, flan-t5-small-shaped, flan-t5-base-shaped), next to the theoretical byte counts.
// A step is one DSS optimizer step (label and rationale tasks in one pass, a = 0.5, AdamW). Not a test: numbers only.
import { execFileSync } from 'node:child_process';
import type { Suite } from './run';
import { benchModel, randomDssBatch, randomReader } from './random-model';
import { writeSection } from './doc-section';
import { describeAdapter } from '../src/settings/adapter-name';
import type { Gpu } from '../src/gpu/gpu';
import { createNodeGpu } from '../src/hosts/node/gpu';
import { FileAutotuneStore } from '../src/hosts/node/autotune-store';
import { autotunerFor, createAutotuner } from '../src/gpu/autotune';
import type { T5Config } from '../src/model/config';
import { estimateMemory } from '../src/settings/memory-estimate';
import { dssCapacity, DssStep } from '../src/model/dss-step';
import { parameterCount } from '../src/model/hf-names';
import { loadT5 } from '../src/model/t5-model';
import { T5Runner } from '../src/model/t5-runner';
import { optimizerStep } from '../src/train/accumulate';
import { ADAMW_DEFAULTS, AdamW } from '../src/train/optimizer';

interface Flags {
  models: string[];
  batch: number;
  tin: number;
  tout: number;
  steps: number;
}

function parseFlags(args: string[]): Flags {
  const quick = args.includes('--quick');
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  return {
    // On SwiftShader a flan-t5-base step at 8 x 128/128 takes hours: --quick shrinks the batch, not the model.
    models: value('--models', quick ? 'tiny,small' : 'tiny,small,base').split(','),
    batch: Number(value('--batch', quick ? '1' : '8')),
    tin: Number(value('--tin', quick ? '16' : '128')),
    tout: Number(value('--tout', quick ? '16' : '128')),
    steps: Number(value('--steps', quick ? '1' : '3')),
  };
}

const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

/** The side-by-side baseline: the same step in float32 PyTorch on this machine's CPU, or null without torch. */
function torchSecondsPerStep(config: T5Config, f: Flags): { seconds: number; threads: number } | null {
  try {
    const out = execFileSync('/usr/bin/python3', [
      'tools/t5_reference.py', 'bench', '--config', JSON.stringify(config),
      '--batch', String(f.batch), '--tin', String(f.tin), '--tout', String(f.tout), '--steps', String(f.steps),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds_per_step: number; threads: number };
    return { seconds: r.seconds_per_step, threads: r.threads };
  } catch {
    return null;
  }
}

async function benchModelStep(gpu: Gpu, name: string, config: T5Config, f: Flags): Promise<string> {
  gpu.pool.resetPeak();
  const model = await loadT5(gpu, config, randomReader(config), { trainBase: true });
  const runner = new T5Runner(gpu, model.dims, model.params, dssCapacity(gpu, model.dims, { B: f.batch, Tin: f.tin, Tout: f.tout }, true));
  const step = new DssStep(gpu, model, runner);
  const opt = new AdamW(gpu, model.params, { ...ADAMW_DEFAULTS, lr: 1e-4 });
  const batch = randomDssBatch(f.batch, f.tin, f.tout, config.vocab_size);
  await optimizerStep(step, model.params, opt, [batch], { seed: 0, a: 0.5 }); // warm-up: pipelines, records, shapes to tune
  await autotunerFor(gpu).tunePending();
  const t0 = performance.now();
  for (let i = 0; i < f.steps; i++) await optimizerStep(step, model.params, opt, [batch], { seed: i + 1, a: 0.5 });
  await gpu.finish();
  const seconds = (performance.now() - t0) / 1000 / f.steps;
  const m = gpu.memory();
  const torch = torchSecondsPerStep(config, f);
  const vsTorch = torch ? `${torch.seconds.toFixed(2)} (${torch.threads} thr) | ${(torch.seconds / seconds).toFixed(2)}x` : 'n/a | n/a';
  const P = parameterCount(config);
  const est = estimateMemory(config, { batch: f.batch, inputLength: f.tin, targetLength: f.tout, method: 'full' });
  opt.free();
  step.free();
  runner.free();
  model.params.free();
  return `| ${name} | ${(P / 1e6).toFixed(1)}M | ${f.batch}x${f.tin}/${f.tout} | ${seconds.toFixed(2)} | ${(f.batch / seconds).toFixed(2)} | ${vsTorch} | ` +
    `${MiB(m.peak.weights)} / ${MiB(4 * P)} | ${MiB(m.peak.grads)} / ${MiB(4 * P)} | ${MiB(m.peak.optimizer)} / ${MiB(8 * P)} | ` +
    `${MiB(m.peak.activations)} / ${MiB(est.activations)} | ${MiB(m.peak.scratch)} |`;
}

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const gpu = await createNodeGpu({ strict: true });
  await createAutotuner(gpu, new FileAutotuneStore());
  const adapter = describeAdapter(gpu.info);
  console.log(`adapter: ${adapter}`);
  const rows: string[] = [];
  for (const name of f.models) {
    const row = await benchModelStep(gpu, name, benchModel(name), f);
    console.log(row);
    rows.push(row);
  }
  const body = [
    '## Model: full fine-tuning step (`npm run bench -- model`)',
    '',
    `Adapter: ${adapter}. One step = label and rationale tasks in one pass (a = 0.5) + AdamW. Bytes are the engine's peak`,
    'allocations by category (measured) / the theoretical count (params x4 B, grads x4 B, AdamW moments x8 B,',
    'activations from estimateMemory). Random weights. Baseline: the same step in float32 PyTorch on this CPU',
    '(tools/t5_reference.py bench); "speed vs torch" > 1 means Stepwise is faster.',
    '',
    '| model | params | batch | s/step | samples/s | torch CPU s/step | speed vs torch | weights MiB | grads MiB | optimizer MiB | activations MiB | scratch MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  writeSection('model', body);
  console.log('\n' + body);
}

export const modelSuite: Suite = { about: 'full fine-tuning step time and memory for tiny/small/base-shaped T5 (--quick)', run };
