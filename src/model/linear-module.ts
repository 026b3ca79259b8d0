// One Hugging Face nn.Linear (weight (out, in), no bias) as T5 uses it, with its three storage forms:
// a trainable or frozen f32 weight, a frozen NF4 weight (QLoRA), and an optional LoRA adapter on top:
//   y = x W^T + scaling * (dropout(x) A^T) B^T
import type { Gpu } from '../gpu/gpu';
import type { DropoutOptions } from '../gpu/kernels/dropout';
import { linearBackward as linearKernelBackward, linearForward as linearKernelForward } from '../gpu/kernels/linear';
import { nf4LinearBackwardInput, nf4LinearForward, nf4SecondProductFits } from '../gpu/kernels/nf4';
import { castToF16, castToF32 } from '../gpu/kernels/cast';
import { backingTensor, type Bindable } from '../gpu/tensor';
import { hfName } from './hf-names';
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
  /**
   * out = residual + dropout(x W^T [+ adapter]), the dropout drawn in the matmul's store: only where
   * fusesOutputDropout says so (an f32 weight).
   */
  outputDropout?: DropoutOptions;
}

/**
 * Whether linearForward can drop out the module's output inside its matmul: an f32 weight, adapter or not; an
 * NF4 weight with f32 activations, when its adapter (if any) fits the NF4 matmul's bindings.
 */
export function fusesOutputDropout(ctx: LinearContext, path: string): boolean {
  if (ctx.params.get(hfName.weight(path)).storage !== 'nf4') return true;
  return ctx.params.nf4Compute !== 'f16' && (!ctx.params.adapters.has(path) || nf4SecondProductFits(ctx.gpu));
}

function shapeOf(ctx: LinearContext, path: string): { out: number; in: number } {
  const [out, inp] = ctx.params.get(hfName.weight(path)).shape;
  return { out, in: inp };
}

// inp (N, in), out (N, out)
export function linearForward(ctx: LinearContext, path: string, out: Bindable, inp: Bindable, rows: Extent, o: LinearForwardOptions): void {
  const { gpu, params, records } = ctx;
  const w = params.get(hfName.weight(path));
  const { out: OC, in: C } = shapeOf(ctx, path);
  const N = rows(records.shape);
  const lora = params.adapters.get(path);
  // The adapter's A layer first: its B layer then runs inside the base weight's matmul (f32 base).
  const xa = lora && records.take(`${path}.lora_xa`, (s) => rows(s) * lora.r);
  if (lora && xa) linearKernelForward(gpu, xa, inp, lora.A.value, N, C, lora.r, { dropout: loraDropout(ctx, lora.dropout, o.stream) });
  if (w.storage === 'nf4') {
    if (o.outputDropout && !fusesOutputDropout(ctx, path)) throw new Error(`${path}: its output dropout cannot run inside this NF4 matmul`);
    if (o.residual) gpu.copy(leadingTensor(o.residual), leadingTensor(out), N * OC * 4);
    const accumulate = o.accumulate || !!o.residual;
    const outputDropout = o.outputDropout;
    if (outputDropout && !lora) {
      nf4LinearForward(gpu, out, inp, w.nf4, N, C, OC, { accumulate, outputDropout });
      return;
    }
    if (params.nf4Compute === 'f16') {
      const x16 = f16Scratch(ctx, 'in', C, rows);
      const y16 = f16Scratch(ctx, 'out', OC, rows);
      castToF16(gpu, x16, inp, N * C);
      nf4LinearForward(gpu, y16, x16, w.nf4, N, C, OC);
      castToF32(gpu, out, y16, N * OC, { accumulate });
    } else if (lora && xa && nf4SecondProductFits(gpu)) {
      nf4LinearForward(gpu, out, inp, w.nf4, N, C, OC, { accumulate, outputDropout, second: { a: xa, b: lora.B.value, K: lora.r, transB: true, alpha: lora.scaling } });
      return;
    } else {
      nf4LinearForward(gpu, out, inp, w.nf4, N, C, OC, { accumulate });
    }
    if (lora && xa) linearKernelForward(gpu, out, xa, lora.B.value, N, lora.r, OC, { accumulate: true, alpha: lora.scaling });
    return;
  }
  const adapter = lora && xa ? { xa, B: lora.B.value, r: lora.r, scaling: lora.scaling } : undefined;
  linearKernelForward(gpu, out, inp, w.value, N, C, OC, { accumulate: o.accumulate, residual: o.residual, outputDropout: o.outputDropout, adapter });
}

/**
 * The adapter's input dropout, drawn inside A's matmuls (as x loads in forward and in dA, on dx's store in
 * backward) from the counter RNG, so neither the dropped input nor its mask is kept.
 */
function loraDropout(ctx: LinearContext, p: number, stream: number): DropoutOptions | undefined {
  return ctx.train && p > 0 ? { p, seed: ctx.seed, stream } : undefined;
}

export interface LinearBackwardOptions {
  /** dinp += instead of dinp = . */
  accumulateInput?: boolean;
  stream: number;
  /** Scratch (N, r) for the adapter's input gradient. */
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
  const w = params.get(hfName.weight(path));
  const { out: OC, in: C } = shapeOf(ctx, path);
  const N = rows(records.shape);
  const lora = params.adapters.get(path);
  if (w.storage !== 'nf4' && !lora) {
    linearKernelBackward(gpu, dinp, w.grad, dout, inp, w.value, N, C, OC, { accumulateInput: o.accumulateInput });
    return;
  }
  // B's layer first: dxa = s * dout B, dB += s * dout^T xa.
  let dxa: Bindable | null = null;
  const dropout = lora && loraDropout(ctx, lora.dropout, o.stream);
  if (lora) {
    const xa = records.take(`${path}.lora_xa`, (sh) => rows(sh) * lora.r);
    dxa = o.scratch('lora_dxa', (sh) => rows(sh) * lora.r);
    linearKernelBackward(gpu, dxa, lora.B.grad, dout, xa, lora.B.value, N, lora.r, OC, { alpha: lora.scaling });
  }
  if (w.storage === 'nf4') {
    // The frozen NF4 weight gets no gradient; the input gradient flows through its dequantized values.
    if (dinp && params.nf4Compute === 'f16') {
      const dy16 = f16Scratch(ctx, 'out', OC, rows);
      const dx16 = f16Scratch(ctx, 'in', C, rows);
      castToF16(gpu, dy16, dout, N * OC);
      nf4LinearBackwardInput(gpu, dx16, dy16, w.nf4, N, C, OC);
      castToF32(gpu, dinp, dx16, N * C, { accumulate: o.accumulateInput });
    } else if (dinp && lora && dxa && nf4SecondProductFits(gpu)) {
      // dinp = dout deq(W) + drop'(dxa A) in one dispatch; then dA += dxa^T drop(x).
      nf4LinearBackwardInput(gpu, dinp, dout, w.nf4, N, C, OC, { accumulate: o.accumulateInput, second: { a: dxa, b: lora.A.value, K: lora.r, dropout } });
      linearKernelBackward(gpu, null, lora.A.grad, dxa, inp, lora.A.value, N, C, lora.r, { dropout });
      return;
    } else if (dinp) {
      nf4LinearBackwardInput(gpu, dinp, dout, w.nf4, N, C, OC, { accumulate: o.accumulateInput });
    }
    // A's layer: dA += dxa^T drop(x), dx += drop'(dxa A).
    if (lora && dxa) linearKernelBackward(gpu, dinp, lora.A.grad, dxa, inp, lora.A.value, N, C, lora.r, { accumulateInput: true, dropout });
    return;
  }
  // dinp = dout W + drop'(dxa A) in one matmul; then dA += dxa^T drop(x).
  const adapter = lora && dxa ? { dxa, A: lora.A.value, r: lora.r, dropout } : undefined;
  linearKernelBackward(gpu, dinp, w.grad, dout, inp, w.value, N, C, OC, { accumulateInput: o.accumulateInput, adapter });
  if (lora && dxa) linearKernelBackward(gpu, null, lora.A.grad, dxa, inp, lora.A.value, N, C, lora.r, { dropout });
}

/** f16 staging for an NF4 linear's input or output, one per size (consumed at once, so linears share them). */
function f16Scratch(ctx: LinearContext, role: 'in' | 'out', width: number, rows: Extent): Bindable {
  const extent: Extent = (s) => rows(s) * width;
  return ctx.records.take(`nf4_f16.${role}.${extent(ctx.records.capacity)}`, extent, 'f16');
}

/** Records are bound from element 0, so a copy of the leading bytes of the underlying tensor is the same data. */
function leadingTensor(b: Bindable) {
  if ('tensor' in b && b.offset !== 0) throw new Error(`copy from an offset slice of "${b.tensor.label}" is not supported`);
  return backingTensor(b);
}
