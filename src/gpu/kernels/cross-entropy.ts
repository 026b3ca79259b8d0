// Token cross-entropy with the softmax gradient fused in, as HF's CrossEntropyLoss(ignore_index=-100).
// The per-row losses stay on the GPU; the caller sets gradScale = weight / count to get the gradient of a
// mean, or splits the rows in two when one pass holds both DSS tasks (a / count_label, (1 - a) / count_rationale).
import { IGNORE_INDEX } from '../../common/tokenizer-types';
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import { isSlice, type Bindable } from '../tensor';
import { copyElements, expectBinding, expectCount, expectDistinct, isInPlace } from './kernel-args';
import { chooseReduceVariant, SERIAL_WG, SUBGROUP_WG, timeReduceTrial, type ReduceVariant } from './reduce-variants';

/**
 * A workgroup per row (the tree in workgroup memory), the same with subgroup operations and one barrier, or one
 * invocation per row replaying the workgroup tree (same bits).
 */
export type CrossEntropyVariant = ReduceVariant;
const WG = 256;
const FORM_WG: Record<CrossEntropyVariant, number> = { workgroup: WG, subgroup: SUBGROUP_WG, serial: SERIAL_WG };

/** withGrad: also overwrite the (bound, read_write) logits with the gradient. */
export function crossEntropyProgram(withGrad: boolean, variant: CrossEntropyVariant = 'workgroup'): ProgramSpec {
  const serial = variant === 'serial';
  const suffix = variant === 'workgroup' ? '' : `_${variant}`;
  return {
    name: `${withGrad ? 'cross_entropy_grad' : 'cross_entropy'}${suffix}`,
    // The workgroup and subgroup forms share one body and differ in the merge they include.
    shader: serial ? 'cross-entropy-serial' : 'cross-entropy',
    workgroupSize: [FORM_WG[variant]],
    bindings: [
      { name: 'losses', access: 'read_write', type: 'f32' },
      // read_write in both forms so one shader serves both; without the gradient it is only read.
      { name: 'logits', access: 'read_write', type: 'f32' },
      { name: 'targets', access: 'read', type: 'i32' },
    ],
    uniforms: [
      { name: 'rows', type: 'u32' },
      { name: 'vocab', type: 'u32' },
      { name: 'row0', type: 'u32' },
      { name: 'grad_scale', type: 'f32' },
      { name: 'split_row', type: 'u32' },
      { name: 'grad_scale_rest', type: 'f32' },
    ],
    constants: { WITH_GRAD: withGrad, IGNORE_INDEX: { type: 'i32', value: IGNORE_INDEX }, ...(serial ? { TREE_WIDTH: WG } : {}) },
    includes: ['cross-entropy-common', serial ? 'tree-sum' : variant === 'subgroup' ? 'cross-entropy-subgroup' : 'cross-entropy-tree'],
    subgroups: variant === 'subgroup' || undefined,
  };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Rows per dispatch so that a chunk of logits fits in one binding of maxBindingBytes and every chunk starts
 * on the storage offset alignment. Returns N when everything fits at once.
 */
export function crossEntropyChunkRows(N: number, V: number, maxBindingBytes: number, alignElements: number): number {
  const rowBytes = V * 4;
  if (N * rowBytes <= maxBindingBytes) return N;
  const step = alignElements / gcd(V, alignElements);
  const rows = Math.floor(maxBindingBytes / rowBytes / step) * step;
  if (rows === 0) {
    throw new RangeError(
      `crossEntropy: ${step} rows of vocabulary ${V} (${step * rowBytes} bytes, the smallest aligned chunk) exceed the ${maxBindingBytes}-byte binding limit`,
    );
  }
  return rows;
}

/** Rows [0, rows) scaled by `first`, the rest by `rest`: the gradient of two means in one call. */
export interface SplitGradScale {
  rows: number;
  first: number;
  rest: number;
}

// logits (N,V), targets (N) i32 (-100 = ignore); losses (N) f32 per-row loss (0 for ignored rows);
// dlogits (N,V) = gradScale * (softmax(logits) - onehot(target)), 0 rows for ignored targets; dlogits may be the
// SAME tensor as logits (in place), a separate tensor (logits are copied there first and kept), or null for eval.
// Overwrites losses and dlogits (no accumulation). Splits the rows into several dispatches when N*V*4 bytes exceed
// the device's maxStorageBufferBindingSize (or opts.maxBindingBytes, for tests).
export function crossEntropy(
  gpu: Gpu,
  losses: Bindable,
  dlogits: Bindable | null,
  logits: Bindable,
  targets: Bindable,
  N: number,
  V: number,
  gradScale: number | SplitGradScale,
  opts: { maxBindingBytes?: number; variant?: CrossEntropyVariant } = {},
): void {
  const op = 'crossEntropy';
  expectCount(op, 'N', N);
  expectCount(op, 'V', V);
  if (V === 0) throw new RangeError(`${op}: V must be at least 1`);
  expectBinding(op, 'losses', losses, N);
  expectBinding(op, 'logits', logits, N * V);
  expectBinding(op, 'targets', targets, N, 'i32');
  const split = typeof gradScale === 'number' ? { rows: N, first: gradScale, rest: gradScale } : gradScale;
  for (const k of ['first', 'rest'] as const) {
    if (!Number.isFinite(split[k])) throw new RangeError(`${op}: gradScale ${k} must be finite, got ${split[k]}`);
  }
  if (!Number.isInteger(split.rows) || split.rows < 0 || split.rows > N) throw new RangeError(`${op}: gradScale rows must be an integer in [0, ${N}], got ${split.rows}`);
  let work = logits;
  if (dlogits) {
    expectBinding(op, 'dlogits', dlogits, N * V);
    if (!isInPlace(op, dlogits, logits)) {
      expectDistinct(op, { losses, dlogits, targets });
      copyElements(gpu, dlogits, logits, N * V);
    }
    work = dlogits;
  }
  expectDistinct(op, { losses, logits: work, targets });
  if (N === 0) return;

  const variant = chooseReduceVariant(gpu, 'cross_entropy', N, V, opts.variant, (v) => crossEntropyTrial(gpu, N, V, v as CrossEntropyVariant));
  const program = crossEntropyProgram(dlogits !== null, variant);
  const limit = opts.maxBindingBytes ?? gpu.device.limits.maxStorageBufferBindingSize;
  const chunk = crossEntropyChunkRows(N, V, limit, gpu.sliceAlignment('f32'));
  const tensor = isSlice(work) ? work.tensor : work;
  const start = isSlice(work) ? work.offset : 0;
  for (let row0 = 0; row0 < N; row0 += chunk) {
    const rows = Math.min(chunk, N - row0);
    const part = rows === N ? work : gpu.slice(tensor, start + row0 * V, rows * V);
    const uniforms = { rows, vocab: V, row0, grad_scale: split.first, split_row: split.rows, grad_scale_rest: split.rest };
    gpu.dispatch(program, { losses, logits: part, targets }, uniforms, gpu.grid1d(program, variant === 'serial' ? rows : rows * FORM_WG[variant]));
  }
}

async function crossEntropyTrial(gpu: Gpu, N: number, V: number, variant: CrossEntropyVariant): Promise<number> {
  const logits = gpu.tensor([N, V], 'f32', 'scratch', 'autotune:logits');
  const losses = gpu.tensor([N], 'f32', 'scratch', 'autotune:losses');
  const targets = gpu.tensor([N], 'i32', 'scratch', 'autotune:targets');
  try {
    return await timeReduceTrial(gpu, () => crossEntropy(gpu, losses, logits, logits, targets, N, V, 1, { variant }));
  } finally {
    gpu.free(logits, losses, targets);
  }
}

/** The number of targets that count (not -100): the divisor of HF's mean loss. */
export function countTargets(targets: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== IGNORE_INDEX) n++;
  return n;
}

/** The mean of per-row losses over counted targets, as HF reports it (NaN when nothing counts, as torch). */
export function meanLoss(losses: ArrayLike<number>, targets: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== IGNORE_INDEX) sum += losses[i];
  return sum / countTargets(targets);
}
