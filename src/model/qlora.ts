// QLoRA's frozen base: which T5 weights become NF4 and how, as the quantize/toNf4 hooks of loadT5.
// As Transformers + bitsandbytes do for T5: the Linear weights of the encoder and decoder blocks, except
// DenseReluDense.wo (T5's _keep_in_fp32_modules = ["wo"]); never lm_head, embeddings, norms or relative biases.
// Quantization runs on the GPU one tensor at a time: upload f32 into a scratch buffer, quantize, free the scratch,
// so peak memory holds one f32 tensor beside the packed model, never the whole f32 model.
import type { Gpu } from '../gpu/gpu';
import { ALL_LINEAR_TARGETS } from '../settings/run-config';
import { allocNf4, freeNf4, nf4Bytes, nf4Quantize, type Nf4Weight } from '../gpu/kernels/nf4';
import type { LoadOptions, T5Model } from './t5-model';

export interface QloraOptions {
  /** Double quantization of absmax (8-bit, blocks of 256, mean offset); off by default, like the paper. */
  doubleQuant: boolean;
  /** Also quantize DenseReluDense.wo (Transformers keeps it in full precision for T5). */
  quantizeWo: boolean;
}

export const QLORA_DEFAULTS: QloraOptions = { doubleQuant: false, quantizeWo: false };

const BLOCK_LINEAR = new RegExp(`^(encoder|decoder)\\.block\\.\\d+\\.layer\\.\\d+\\.(SelfAttention|EncDecAttention|DenseReluDense)\\.(${ALL_LINEAR_TARGETS.join('|')})\\.weight$`);

/** Whether QLoRA stores this parameter (HF name) as NF4. */
export function qloraQuantizes(name: string, o: Pick<QloraOptions, 'quantizeWo'> = QLORA_DEFAULTS): boolean {
  const m = BLOCK_LINEAR.exec(name);
  if (!m) return false;
  return m[3] !== 'wo' || o.quantizeWo;
}

/**
 * f32 data -> NF4 on the GPU through a scratch buffer freed before returning (gpu.free submits its work first). A
 * failure frees what was allocated; on success the caller owns the weight.
 */
export function quantizeToNf4(gpu: Gpu, name: string, shape: readonly number[], data: Float32Array, doubleQuant = false): Nf4Weight {
  if (shape.length !== 2) throw new Error(`${name}: only 2-D linear weights can be NF4, shape is [${shape.join(', ')}]`);
  const [rows, cols] = shape;
  const scratch = gpu.upload(data, [data.length], 'f32', 'scratch', `nf4 input:${name}`);
  let w: Nf4Weight | null = null;
  try {
    w = allocNf4(gpu, rows, cols, name, { double: doubleQuant });
    nf4Quantize(gpu, w, scratch);
    return w;
  } catch (e) {
    if (w) freeNf4(gpu, w);
    throw e;
  } finally {
    gpu.free(scratch);
  }
}

/** The QLoRA part of loadT5's options: load with { trainBase: false, ...qloraLoadOptions() }. */
export function qloraLoadOptions(options: Partial<QloraOptions> = {}): Required<Pick<LoadOptions, 'quantize' | 'toNf4'>> {
  const o = { ...QLORA_DEFAULTS, ...options };
  return {
    quantize: (name) => qloraQuantizes(name, o),
    toNf4: (gpu, name, shape, data) => quantizeToNf4(gpu, name, shape, data, o.doubleQuant),
  };
}

export interface FrozenNf4Bytes {
  /** Bytes the GPU holds for the NF4 weights (codes, scales), as allocated. */
  allocated: number;
  /** 0.5 byte per weight + 4 bytes per 64-block (or the double-quant equivalent). */
  theoretical: number;
  /** Weights stored as NF4. */
  elements: number;
}

/** Measured vs theoretical bytes of the model's NF4 weights. */
export function frozenNf4Bytes(model: T5Model): FrozenNf4Bytes {
  let allocated = 0;
  let theoretical = 0;
  let elements = 0;
  for (const p of model.params.params.values()) {
    if (p.storage !== 'nf4') continue;
    const w = p.nf4;
    for (const t of [w.codes, w.absmax, w.double?.qabsmax, w.double?.absmax2]) if (t) allocated += t.bytes;
    theoretical += nf4Bytes(w.rows, w.cols, !!w.double);
    elements += w.rows * w.cols;
  }
  return { allocated, theoretical, elements };
}
