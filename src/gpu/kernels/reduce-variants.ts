// The row reductions (RMSNorm's rows and weight columns, the elementwise sum, cross-entropy rows, attention's
// softmax rows) each come in up to three forms:
//   'workgroup' a barrier tree in workgroup memory (workgroup-reduce.wgsl): runs everywhere, the fallback;
//   'subgroup'  subgroup operations plus one barrier (subgroup-reduce.wgsl): needs the adapter's subgroups feature;
//   'serial'    one invocation per row (or output), no workgroup memory, no barriers, replaying the workgroup
//               form's tree (tree-sum.wgsl) so both give the same bits.
// Which one runs is forced by the caller (tests, bench) or chosen per adapter and shape class by the Gpu's
// autotuner (timed trials on GPUs when it runs them), else by the rule below, measured on SwiftShader.
import { autotunerFor, isCpuAdapter, type TrialRunner } from '../autotune';
import type { Gpu } from '../gpu';

export type ReduceVariant = 'workgroup' | 'subgroup' | 'serial';
export const REDUCE_VARIANTS: readonly ReduceVariant[] = ['workgroup', 'subgroup', 'serial'];

/**
 * Workgroup sizes of the subgroup form (a few subgroups on any adapter, one barrier to merge them) and of the serial
 * form (rows per workgroup, one invocation each), shared by every kernel that has them.
 */
export const SUBGROUP_WG = 64;
export const SERIAL_WG = 64;

/** The forms (of those a kernel has) this adapter can run. */
export function reduceCandidates(gpu: Gpu, forms: readonly ReduceVariant[] = REDUCE_VARIANTS): ReduceVariant[] {
  return forms.filter((v) => v !== 'subgroup' || gpu.info.subgroups);
}

/**
 * Untuned choice. On CPU adapters barriers are what costs: SwiftShader (2 loaded cores) ran RMSNorm forward at
 * (N, C) = (16, 32) in 106 ms as 'workgroup', 8.3 ms as 'subgroup', 0.3 ms as 'serial'; at (512, 512) 2073 / 157 /
 * 43 ms; at (2048, 768) 9666 / 839 / 227 ms; the backward alike. Cross-entropy at (rows, vocab) = (16, 128):
 * 74 / 3.8 / 1.3 ms, at (64, 32128): 584 / 234 / 258 ms; attention forward + mix at B 2, T 128, 8 heads, D 64:
 * 4136 / 4121 / 2464 ms, its backward 5771 / 6744 / 4721 ms. No GPU has been measured yet, so GPUs keep the
 * long-tested workgroup form until the tuner's timed trials pick another.
 */
export function defaultReduceVariant(gpu: Gpu, candidates: readonly ReduceVariant[] = reduceCandidates(gpu)): ReduceVariant {
  const order: ReduceVariant[] = isCpuAdapter(gpu.info) ? ['serial', 'workgroup'] : ['workgroup'];
  return order.find((v) => candidates.includes(v)) ?? 'workgroup';
}

/** Rows and width bucketed to powers of two: one autotune entry per shape class. */
export function reduceShapeClass(rows: number, width: number): string {
  const bucket = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));
  return `r${bucket(rows)}-w${bucket(width)}`;
}

/** The forced variant (checked against the adapter), else the tuned or default one; queues a trial when the tuner runs them. */
export function chooseReduceVariant(
  gpu: Gpu, op: string, rows: number, width: number, forced: ReduceVariant | undefined, trial: TrialRunner,
  forms: readonly ReduceVariant[] = REDUCE_VARIANTS,
): ReduceVariant {
  const candidates = reduceCandidates(gpu, forms);
  if (forced !== undefined) {
    if (!forms.includes(forced)) throw new Error(`${op}: unknown variant "${forced}" (${forms.join(', ')})`);
    if (!candidates.includes(forced)) throw new Error(`${op}: variant "${forced}" needs the subgroups feature, which this adapter lacks`);
    return forced;
  }
  const fallback = defaultReduceVariant(gpu, candidates);
  // CPU adapters skip the trials: the rule above was measured there, and the workgroup form's trial alone
  // would cost seconds per shape class.
  const runTrial = isCpuAdapter(gpu.info) ? undefined : trial;
  return autotunerFor(gpu).pick(op, reduceShapeClass(rows, width), candidates, fallback, runTrial) as ReduceVariant;
}

const TRIAL_REPS = 5;

/** Seconds per run of `once(variant)` after a warm-up run; tensors are the caller's to make and free. */
export async function timeReduceTrial(gpu: Gpu, once: () => void): Promise<number> {
  once();
  await gpu.finish();
  const t0 = performance.now();
  for (let i = 0; i < TRIAL_REPS; i++) once();
  await gpu.finish();
  return (performance.now() - t0) / 1000 / TRIAL_REPS;
}
