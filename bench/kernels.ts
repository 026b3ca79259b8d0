// `npm run bench -- kernels`: GFLOP/s of our matmul on the T5 training shapes (forward, dinp, dW per linear
// layer) next to TensorFlow.js's WebGPU backend (tf.matMul with transposeA/B) on the same adapter, plus
// attention forward+backward time. Prints a markdown table and rewrites the "kernels" section of
// docs/benchmarks.md.
//
// Flags: --shapes small|base|all (default small)   --quick | --full (default: quick on CPU adapters)
//        --reps N (timed runs after one warm-up, default 2)   --variant NAME (force ours)
//        --all-variants (also time every variant of ours)   --tune (autotune trials, cached in .cache/autotune)
//        --no-tfjs   --no-attention   --no-write (do not touch docs/benchmarks.md)
import { cpus, loadavg } from 'node:os';
import { autotunerFor, createAutotuner, isCpuAdapter } from '../src/gpu/autotune';
import { describeAdapter } from '../src/settings/adapter-name';
import type { Gpu } from '../src/gpu/gpu';
import { matmul, matmulVariantFor, variantUnfitness } from '../src/gpu/kernels/matmul';
import { VARIANT_TABLE } from '../src/gpu/kernels/matmul-programs';
import { FileAutotuneStore } from '../src/hosts/node/autotune-store';
import { createNodeGpu } from '../src/hosts/node/gpu';
import { randomFloats } from '../src/testing/gpu';
import { writeSection } from './doc-section';
import type { Suite } from './run';
import { FULL, QUICK, T5_DIMS, flops, matmulCases, type MatmulCase, type T5Dims } from './t5-shapes';
import { tfjsOnDawn, tfjsSync, type Tf } from './tfjs-node';
import { attentionCase, ourAttentionMs, tfjsAttentionMs } from './attention-bench';

interface Flags {
  shapes: T5Dims['model'][];
  quick: boolean | null;
  reps: number;
  variant?: string;
  allVariants: boolean;
  tune: boolean;
  tfjs: boolean;
  attention: boolean;
  write: boolean;
}

function parseFlags(args: string[]): Flags {
  const f: Flags = { shapes: ['small'], quick: null, reps: 2, allVariants: false, tune: false, tfjs: true, attention: true, write: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--shapes') {
      const v = value();
      if (v === 'all') f.shapes = ['small', 'base'];
      else if (v === 'small' || v === 'base') f.shapes = [v];
      else throw new Error(`--shapes takes small, base or all, not "${v}"`);
    } else if (a === '--quick') f.quick = true;
    else if (a === '--full') f.quick = false;
    else if (a === '--reps') f.reps = Math.max(1, parseInt(value(), 10));
    else if (a === '--variant') f.variant = value();
    else if (a === '--all-variants') f.allVariants = true;
    else if (a === '--tune') f.tune = true;
    else if (a === '--no-tfjs') f.tfjs = false;
    else if (a === '--no-attention') f.attention = false;
    else if (a === '--no-write') f.write = false;
    else throw new Error(`unknown flag ${a}`);
  }
  return f;
}

/** Seconds per call of `record` (after one untimed warm-up), waiting with `sync`. */
async function timeIt(reps: number, record: () => void, sync: () => Promise<void>): Promise<number> {
  record();
  await sync();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) record();
  await sync();
  return (performance.now() - t0) / 1000 / reps;
}

function problemOf(c: MatmulCase) {
  return { M: c.M, N: c.N, K: c.K, batch: 1, transA: c.transA, transB: c.transB, sA: c.M * c.K, sB: c.K * c.N, sO: c.M * c.N, f16: false };
}

interface OurRun {
  seconds: number;
  variant: string;
}

async function ourMatmul(gpu: Gpu, c: MatmulCase, reps: number, variant: string | undefined): Promise<OurRun> {
  const a = gpu.upload(randomFloats(c.M * c.K, 1), [c.M * c.K], 'f32', 'scratch', 'bench:a');
  const b = gpu.upload(randomFloats(c.K * c.N, 2), [c.K * c.N], 'f32', 'scratch', 'bench:b');
  const out = gpu.tensor([c.M * c.N], 'f32', 'scratch', 'bench:out');
  try {
    const opts = { transA: c.transA, transB: c.transB, variant };
    const chosen = matmulVariantFor(gpu, c, opts);
    const seconds = await timeIt(reps, () => matmul(gpu, out, a, b, c, opts), () => gpu.finish());
    return { seconds, variant: chosen };
  } finally {
    gpu.free(a, b, out);
  }
}

async function tfjsMatmul(tf: Tf, c: MatmulCase, reps: number): Promise<number> {
  const a = tf.randomUniform(c.transA ? [c.K, c.M] : [c.M, c.K], -1, 1);
  const b = tf.randomUniform(c.transB ? [c.N, c.K] : [c.K, c.N], -1, 1);
  const outs: import('@tensorflow/tfjs-core').Tensor[] = [];
  try {
    return await timeIt(reps, () => outs.push(tf.matMul(a, b, c.transA, c.transB)), () => tfjsSync(tf, outs[outs.length - 1]));
  } finally {
    for (const o of outs) o.dispose();
    a.dispose();
    b.dispose();
  }
}

const gflops = (c: MatmulCase, s: number) => flops(c) / s / 1e9;
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

async function run(args: string[]): Promise<void> {
  const f = parseFlags(args);
  const gpu = await createNodeGpu();
  const adapter = describeAdapter(gpu.info);
  const quick = f.quick ?? isCpuAdapter(gpu.info);
  const scale = quick ? QUICK : FULL;
  console.error(`adapter: ${adapter}\nmode: ${quick ? `quick (${scale.rows} rows, vocab / ${scale.vocabDiv})` : 'full (1024 rows = batch 8 x 128 tokens)'}, reps ${f.reps}`);
  const tfjs = f.tfjs ? await tfjsOnDawn() : null;
  if (f.tune) await createAutotuner(gpu, new FileAutotuneStore());

  const cases = f.shapes.flatMap((m) => matmulCases(T5_DIMS[m], scale));
  const variantNames = VARIANT_TABLE.map((v) => v.name);
  const header = ['shape', 'M x N x K', 'layout', 'ours (variant)', 'ours GFLOP/s', 'tfjs GFLOP/s', 'ours / tfjs'];
  if (f.allVariants) header.push(...variantNames);
  const rows: string[][] = [];
  for (const c of cases) {
    if (f.tune) {
      // Queue this shape class and run its trials before timing.
      const out = gpu.tensor([c.M * c.N], 'f32', 'scratch', 'tune:out');
      const a = gpu.tensor([c.M * c.K], 'f32', 'scratch', 'tune:a');
      const b = gpu.tensor([c.K * c.N], 'f32', 'scratch', 'tune:b');
      matmul(gpu, out, a, b, c, { transA: c.transA, transB: c.transB });
      gpu.free(a, b, out);
      await autotunerFor(gpu).tunePending();
    }
    const ours = await ourMatmul(gpu, c, f.reps, f.variant);
    const oursG = gflops(c, ours.seconds);
    const theirs = tfjs ? gflops(c, await tfjsMatmul(tfjs.tf, c, f.reps)) : NaN;
    const layout = `${c.transA ? 'Aᵀ' : 'A'}·${c.transB ? 'Bᵀ' : 'B'}`;
    const row = [c.name, `${c.M} x ${c.N} x ${c.K}`, layout, ours.variant, fmt(oursG), tfjs ? fmt(theirs) : '-', tfjs ? `${(oursG / theirs).toFixed(2)}x` : '-'];
    if (f.allVariants) {
      for (const v of variantNames) {
        if (variantUnfitness(VARIANT_TABLE.find((x) => x.name === v)!, problemOf(c))) row.push('n/a');
        else row.push(fmt(gflops(c, (await ourMatmul(gpu, c, f.reps, v)).seconds)));
      }
    }
    console.error(row.join(' | '));
    rows.push(row);
  }

  const attnRows: string[][] = [];
  if (f.attention) {
    for (const m of f.shapes) {
      const a = attentionCase(T5_DIMS[m], quick);
      const ours = await ourAttentionMs(gpu, a, f.reps);
      const theirs = tfjs ? await tfjsAttentionMs(tfjs.tf, a, f.reps) : NaN;
      const row = [`${m}: B ${a.B}, T ${a.T}, NH ${a.NH}, D ${a.D}, with bias`, ours.toFixed(1), tfjs ? theirs.toFixed(1) : '-', tfjs ? `${(theirs / ours).toFixed(2)}x` : '-'];
      console.error(row.join(' | '));
      attnRows.push(row);
    }
  }

  const table = (h: string[], rs: string[][]) => [`| ${h.join(' | ')} |`, `| ${h.map(() => '---').join(' | ')} |`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const lines = [
    '## Kernels',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- kernels ${args.join(' ')}\`.`,
    `Adapter: ${adapter}${tfjs ? `; TensorFlow.js ${tfjs.tf.version_core} WebGPU backend on a second Dawn device of the same adapter (${tfjs.adapter})` : ''}.`,
    quick
      ? `Quick mode: ${scale.rows} rows (1 x 128 tokens) and lm_head vocab / ${scale.vocabDiv}; full shapes use 1024 rows (batch 8 x 128 tokens) — \`--full\`.`
      : 'Full shapes: 1024 rows (batch 8 x 128 tokens).',
    `Times: one warm-up, then the mean of ${f.reps} runs recorded back to back; ours waits for the queue, tfjs reads back one element of its last output (a data dependency on all its queued work). GFLOP/s = 2MNK / time.`,
    `Host load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(', ')} on ${cpus().length} CPUs (SwiftShader shares them; other work depresses both columns).`,
    'Per linear layer W (OC, C): fwd = inp·Wᵀ, dinp = dout·W, dW = doutᵀ·inp.',
    '',
    table(header, rows),
  ];
  if (attnRows.length) {
    lines.push(
      '',
      'Attention forward + backward (scores+softmax+mix, then dscores, dbias, dq, dk, dv), ms per step. TensorFlow.js: the same forward and backward written as tf ops on (B,NH,T,D) tensors (its head transposes are not counted; see bench/attention-bench.ts).',
      '',
      table(['case', 'ours ms', 'tfjs ms', 'tfjs / ours'], attnRows),
    );
  }
  const md = lines.join('\n');
  console.log(md);
  if (f.write) writeSection('kernels', md);
  gpu.destroy();
}

export const kernelsSuite: Suite = {
  about: 'matmul GFLOP/s on T5 training shapes vs TensorFlow.js WebGPU, attention fwd+bwd time',
  run,
};
