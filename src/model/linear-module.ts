// One Hugging Face nn.Linear (weight (out, in), no bias) as T5 uses it, with its three storage forms:
// a trainable or frozen f32 weight, a frozen NF4 weight (QLoRA), and an optional LoRA adapter on top:
//   y = x W^T + scaling * (dropout(x) A^T) B^T
import type { Gpu } from '../gpu/gpu';
import { dropoutBackward, dropoutForward } from '../gpu/kernels/dropout';
import { axpy } from '../gpu/kernels/elementwise';
import { matmul } from '../gpu/kernels/matmul';
import { nf4LinearBackwardInput, nf4LinearForward } from '../gpu/kernels/nf4';
import type { Bindable } from '../gpu/tensor';
import type { ParameterStore } from './parameters';
import type { Extent, RecordArena } from './records';

export interface LinearContext {
  gpu: Gpu;
  params: ParameterStore;
  records: RecordArena;
  /** Dropout on (training) or off (evaluation, gradient checks). */
  train: boolean;
  /** Per-step seed of the counter-based dropout RNG. */
  seed: number;
}

export interface LinearForwardOptions {
  /** out += x W^T instead of out = x W^T. */
  accumulate?: boolean;
  /** out = residual + x W^T (residual must not be out). */
  residual?: Bindable;
  /** Dropout stream of this call site (LoRA dropout). */
  stream: number;
}

function shapeOf(ctx: LinearContext, path: string): { out: number; in: number } {
  const [out, inp] = ctx.params.get(`${path}.weight`).shape;
  return { out, in: inp };
}

// inp (N, in), out (N, out)
export function linearForward(ctx: LinearContext, path: string, out: Bindable, inp: Bindable, rows: Extent, o: LinearForwardOptions): void {
  const { gpu, params, records } = ctx;
  const w = params.get(`${path}.weight`);
  const { out: OC, in: C } = shapeOf(ctx, path);
  const N = rows(records.shape);
  if (w.nf4) {
    if (o.residual) gpu.copy(asTensor(o.residual), asTensor(out), N * OC * 4);
    nf4LinearForward(gpu, out, inp, w.nf4, N, C, OC, { accumulate: o.accumulate || !!o.residual });
  } else {
    matmul(gpu, out, inp, w.value!, { M: N, N: OC, K: C }, { transB: true, accumulate: o.accumulate, residual: o.residual });
  }
  const lora = params.adapters.get(path);
  if (!lora) return;
  const r = lora.r;
  const xa = records.take(`${path}.lora_xa`, (s) => rows(s) * r);
  const xin = loraInput(ctx, path, inp, rows, lora.dropout, o.stream, C);
  matmul(gpu, xa, xin, lora.A.value!, { M: N, N: r, K: C }, { transB: true });
  matmul(gpu, out, xa, lora.B.value!, { M: N, N: OC, K: r }, { transB: true, accumulate: true, alpha: lora.scaling });
}

/** dropout(x) for the adapter, kept in a record when dropout is on (regenerated masks need the same input). */
function loraInput(ctx: LinearContext, path: string, inp: Bindable, rows: Extent, p: number, stream: number, C: number): Bindable {
  if (!ctx.train || p === 0) return inp;
  const xd = ctx.records.take(`${path}.lora_xd`, (s) => rows(s) * C);
  dropoutForward(ctx.gpu, xd, inp, rows(ctx.records.shape) * C, { p, seed: ctx.seed, stream });
  return xd;
}

export interface LinearBackwardOptions {
  /** dinp += instead of dinp = . */
  accumulateInput?: boolean;
  stream: number;
  /** Scratch (N, r) for the adapter's input gradient, and (N, in) when LoRA dropout is on. */
  scratch: (name: string, extent: Extent) => Bindable;
}

// dout (N, out), inp (N, in) as given to forward; dinp (N, in) or null; weight grads accumulate (+=).
export function linearBackward(
  ctx: LinearContext,
  path: string,
  dinp: Bindable | null,
  dout: Bindable,
  inp: Bindable,
  rows: Extent,
  o: LinearBackwardOptions,
): void {
  const { gpu, params, records } = ctx;
  const w = params.get(`${path}.weight`);
  const { out: OC, in: C } = shapeOf(ctx, path);
  const N = rows(records.shape);
  if (w.grad) matmul(gpu, w.grad, dout, inp, { M: OC, N: C, K: N }, { transA: true, accumulate: true });
  if (dinp) {
    if (w.nf4) nf4LinearBackwardInput(gpu, dinp, dout, w.nf4, N, C, OC, { accumulate: o.accumulateInput });
    else matmul(gpu, dinp, dout, w.value!, { M: N, N: C, K: OC }, { accumulate: o.accumulateInput });
  }
  const lora = params.adapters.get(path);
  if (!lora) return;
  const r = lora.r;
  const s = lora.scaling;
  const xa = records.take(`${path}.lora_xa`, (sh) => rows(sh) * r);
  const dropped = ctx.train && lora.dropout > 0;
  const xin = dropped ? records.take(`${path}.lora_xd`, (sh) => rows(sh) * C) : inp;
  // dB += s * dout^T xa ; dxa = s * dout B ; dA += dxa^T xin ; dx += dropout'(dxa A)
  matmul(gpu, lora.B.grad!, dout, xa, { M: OC, N: r, K: N }, { transA: true, accumulate: true, alpha: s });
  const dxa = o.scratch('lora_dxa', (sh) => rows(sh) * r);
  matmul(gpu, dxa, dout, lora.B.value!, { M: N, N: r, K: OC }, { alpha: s });
  matmul(gpu, lora.A.grad!, dxa, xin, { M: r, N: C, K: N }, { transA: true, accumulate: true });
  if (!dinp) return;
  if (!dropped) {
    matmul(gpu, dinp, dxa, lora.A.value!, { M: N, N: C, K: r }, { accumulate: true });
    return;
  }
  const dxd = o.scratch('lora_dxd', (sh) => rows(sh) * C);
  matmul(gpu, dxd, dxa, lora.A.value!, { M: N, N: C, K: r });
  const dx = o.scratch('lora_dx', (sh) => rows(sh) * C);
  dropoutBackward(gpu, dx, dxd, N * C, { p: lora.dropout, seed: ctx.seed, stream: o.stream });
  axpy(gpu, dinp, dx, 1, N * C);
}

/** Records are bound from element 0, so a copy of the leading bytes of the underlying tensor is the same data. */
function asTensor(b: Bindable) {
  if ('tensor' in b && b.offset !== 0) throw new Error(`copy from an offset slice of "${b.tensor.label}" is not supported`);
  return 'tensor' in b ? b.tensor : b;
}
