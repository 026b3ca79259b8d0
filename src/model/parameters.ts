// The model's parameters by Hugging Face name: values on the GPU (f32, or NF4 for QLoRA's frozen linears),
// gradients for the trainable ones, and LoRA adapters by module path.
import { planArenas } from '../gpu/arena';
import type { Gpu } from '../gpu/gpu';
import { freeNf4, type Nf4Weight } from '../gpu/kernels/nf4';
import type { Tensor } from '../gpu/tensor';

export type ParamKind = 'embedding' | 'linear' | 'norm' | 'relative_bias' | 'lm_head' | 'lora';

interface ParamBase {
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: ParamKind;
  /** Present exactly when the parameter trains. */
  grad: Tensor | null;
  /** HF Trainer: no weight decay for layer norms or any name containing "bias". */
  readonly decay: boolean;
}

/** A parameter held as f32 on the GPU: every one that trains, and every frozen one QLoRA does not quantize. */
export interface DenseParam extends ParamBase {
  readonly storage: 'dense';
  /** Its own buffer, or a view of an arena once packTrainable moved it (look it up when used, do not keep it). */
  value: Tensor;
}

/** A frozen linear weight held as NF4 (QLoRA's base): no f32 value, never a gradient. */
export interface Nf4Param extends ParamBase {
  readonly storage: 'nf4';
  readonly nf4: Nf4Weight;
  grad: null;
}

export type Param = DenseParam | Nf4Param;

/** A frozen f32 parameter (enableGrad makes it train). */
export function denseParam(name: string, shape: readonly number[], kind: ParamKind, value: Tensor, decay: boolean): DenseParam {
  return { storage: 'dense', name, shape, kind, value, grad: null, decay };
}

export interface LoraAdapter {
  /** HF module path, e.g. encoder.block.0.layer.0.SelfAttention.q */
  readonly path: string;
  readonly r: number;
  readonly alpha: number;
  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  readonly scaling: number;
  /** rsLoRA (PEFT's use_rslora), carried so an export writes what was trained rather than guessing from floats. */
  readonly rslora: boolean;
  readonly dropout: number;
  /** (r, in) */
  readonly A: DenseParam;
  /** (out, r) */
  readonly B: DenseParam;
}

/**
 * PEFT's trainable tokens: a few rows of the embedding (and of an untied lm_head) that train alongside a LoRA
 * adapter while the rest stays frozen. The rows replace the base rows (they are not added to them); trainable-tokens.ts
 * copies them into the base weights before every forward.
 */
export interface TrainableTokenRows {
  /** Token ids whose rows train, ascending and distinct. */
  readonly ids: readonly number[];
  /** (K, C) rows replacing shared.weight[ids] (PEFT: shared.token_adapter.trainable_tokens_delta). */
  readonly shared: DenseParam;
  /** (K, C) rows replacing lm_head.weight[ids] of an untied head; null when the head is tied or its rows stay frozen. */
  readonly lmHead: DenseParam | null;
  /** The base rows the trained ones replaced (host copies), written back when the rows are detached. */
  readonly original: { shared: Float32Array; lmHead: Float32Array | null };
  /** ids on the GPU (K) i32, for the head's row gradient. */
  readonly idsTensor: Tensor;
}

/**
 * Packing copies one arena at a time and then frees the parameters it held, so it needs room for one more arena. An
 * arena as large as the device allows would hold every parameter of a model (flan-t5-base: 0.99 GB) and double the
 * peak of weights and gradients while packing; 128 MiB arenas bound that to 128 MiB each at the cost of a few more
 * AdamW and sum-of-squares dispatches (one or two per arena).
 */
export const PACK_ARENA_BYTES = 128 * 2 ** 20;

/**
 * Trainable parameters packed into one arena buffer for their values and one for their gradients, laid out alike, so
 * AdamW, the gradient norm and zeroing can each sweep many parameters at once.
 */
export interface TrainableArena {
  /** The whole arenas (weights, grads): free them when done; each parameter's view stays valid until it is freed. */
  readonly values: Tensor;
  readonly grads: Tensor;
  /** f32 elements the arenas span (padding between parameters included, always zero). */
  readonly size: number;
  /** Elements before this belong to parameters with weight decay, the rest to those without. */
  readonly decayEnd: number;
  /** The parameters, each with its first element in the arenas. */
  readonly params: readonly { readonly param: DenseParam; readonly offset: number }[];
}

export function decays(name: string): boolean {
  return !(name.includes('layer_norm') || name.includes('bias'));
}

export class ParameterStore {
  readonly params = new Map<string, Param>();
  readonly adapters = new Map<string, LoraAdapter>();
  /** Trainable token rows next to the adapters, or null. */
  tokens: TrainableTokenRows | null = null;
  /** Precision of the NF4 linears' products: f16 on shader-f16 devices once checked (qlora.ts), else f32. */
  nf4Compute: 'f32' | 'f16' = 'f32';

  constructor(private readonly gpu: Gpu) {}

  add(p: Param): void {
    if (this.params.has(p.name)) throw new Error(`parameter ${p.name} added twice`);
    this.params.set(p.name, p);
  }

  get(name: string): Param {
    const p = this.params.get(name);
    if (!p) throw new Error(`the model has no parameter ${name}`);
    return p;
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** A parameter that must not be quantized (embeddings, norms, biases). */
  dense(name: string): DenseParam {
    const p = this.get(name);
    if (p.storage !== 'dense') throw new Error(`parameter ${name} is stored as NF4 and has no f32 value`);
    return p;
  }

  /** f32 value of a parameter that must not be quantized (embeddings, norms, biases). */
  value(name: string): Tensor {
    return this.dense(name).value;
  }

  /** Every parameter that trains: base parameters with grads, then LoRA A/B, then trainable token rows. */
  trainable(): DenseParam[] {
    const out = [...this.params.values()].filter((p): p is DenseParam => p.grad !== null);
    for (const a of this.adapters.values()) out.push(a.A, a.B);
    for (const p of this.tokenParams()) if (p.grad) out.push(p);
    return out;
  }

  /** The trainable token rows' parameters (shared, then lm_head when untied). */
  tokenParams(): DenseParam[] {
    const t = this.tokens;
    return t ? [t.shared, ...(t.lmHead ? [t.lmHead] : [])] : [];
  }

  /** Allocate zeroed gradients for the named parameters (category grads). */
  enableGrad(p: DenseParam): void {
    if (p.grad) return;
    const n = p.shape.reduce((a, b) => a * b, 1);
    p.grad = this.gpu.tensor([n], 'f32', 'grads', `grad:${p.name}`);
    this.gpu.zero(p.grad);
  }

  /** Zero every gradient: packed ones with one clear per arena. */
  zeroGrads(): void {
    this.gpu.zeroAll(this.trainable().flatMap((p) => (p.grad ? [p.grad] : [])));
  }

  /**
   * Move every trainable parameter's value and gradient into arenas (contents kept, old buffers freed): parameters
   * with weight decay first, each at the device's storage offset alignment, arenas no larger than one binding
   * so a kernel can bind a whole arena. The caller frees the arenas' whole tensors when done with them (AdamW does).
   * maxBytes defaults to PACK_ARENA_BYTES (or the largest parameter, if larger), within the device's limits.
   */
  packTrainable(maxBytes?: number): TrainableArena[] {
    const gpu = this.gpu;
    const trainable = [...new Set(this.trainable())];
    const ordered = [...trainable.filter((p) => p.decay), ...trainable.filter((p) => !p.decay)];
    for (const p of ordered) {
      if (p.value.dtype !== 'f32' || p.grad!.dtype !== 'f32') throw new TypeError(`packTrainable: ${p.name} is not f32`);
      if (p.grad!.size !== p.value.size) throw new RangeError(`packTrainable: ${p.name} has ${p.value.size} values but ${p.grad!.size} gradients`);
    }
    const deviceMax = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    maxBytes ??= Math.min(deviceMax, Math.max(PACK_ARENA_BYTES, ...ordered.map((p) => p.value.size * 4)));
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    const plan = planArenas(ordered.map((p) => p.value.size * 4), align, maxBytes, (i) => `trainable parameter ${ordered[i].name}`);
    return plan.arenaBytes.map((bytes, a) => {
      const values = gpu.arena('weights', bytes, `trainable#${a}`);
      const grads = gpu.arena('grads', bytes, `grads#${a}`);
      const params: { param: DenseParam; offset: number }[] = [];
      const old: Tensor[] = [];
      ordered.forEach((p, i) => {
        const { arena, byteOffset } = plan.placements[i];
        if (arena !== a) return;
        const grad = p.grad!;
        const value = gpu.view(values, byteOffset, p.value.shape, 'f32', p.value.label);
        const gradView = gpu.view(grads, byteOffset, grad.shape, 'f32', grad.label);
        gpu.copy(p.value, value);
        gpu.copy(grad, gradView);
        old.push(p.value, grad);
        p.value = value;
        p.grad = gradView;
        params.push({ param: p, offset: byteOffset / 4 });
      });
      // One arena at a time, so packing needs room for one more arena, not a second copy of every parameter.
      gpu.free(...old);
      const firstUndecayed = params.find((e) => !e.param.decay);
      const size = values.size;
      return { values, grads, size, decayEnd: firstUndecayed ? firstUndecayed.offset : size, params };
    });
  }

  free(): void {
    const all = [...this.params.values()];
    for (const a of this.adapters.values()) all.push(a.A, a.B);
    all.push(...this.tokenParams());
    if (this.tokens) this.gpu.free(this.tokens.idsTensor);
    for (const p of all) {
      if (p.storage === 'nf4') freeNf4(this.gpu, p.nf4);
      else this.gpu.free(p.value);
      this.gpu.free(p.grad);
      p.grad = null;
    }
    this.params.clear();
    this.adapters.clear();
    this.tokens = null;
  }
}
