// Training memory before a run: GPU bytes by category from the model's shape, the method and the batch, so the
// studio, the CLI and the engine's pre-start check quote one figure. Pure arithmetic over the parameter table.
import type { T5Config } from '../model/config';
import { t5ParameterSpecs } from '../model/hf-names';
import { ALL_LINEAR_TARGETS, DEFAULT_LORA_RANK, type TuneMethod } from './run-config';

export interface MemoryEstimateOptions {
  /** Sequences in one forward pass: the batch size, twice it when a DSS step runs both tasks as one pass (passRows). */
  batch: number;
  inputLength: number;
  targetLength: number;
  method: TuneMethod;
  /** LoRA rank r (lora and qlora); default DEFAULT_LORA_RANK, the paper's (and a new run's) default. */
  loraRank?: number;
  /** LoRA target module names, PEFT matching by last path component; default all linear layers, as a new run. */
  loraTargets?: readonly string[];
  /** QLoRA double quantization of absmax (off by default, like the paper and a new run). */
  doubleQuant?: boolean;
}

export interface MemoryEstimate {
  totalParams: number;
  trainableParams: number;
  /** Bytes. */
  weights: number;
  grads: number;
  optimizer: number;
  activations: number;
  total: number;
}

/**
 * Sequences per forward pass for batches of `examples` examples: both DSS tasks' rows when the mix a < 1 trains the
 * rationale task too. The engine falls back to one pass per task (examples rows) where the joint pass's logits would
 * not fit one GPU binding (dssPassBatch), so before a device is known this is the upper bound.
 */
export function passRows(examples: number, a: number): number {
  return a < 1 ? 2 * examples : examples;
}

/** Bytes per element of a frozen NF4 weight: 4-bit codes plus an f32 absmax per 64, or with double quantization a
 *  u8 absmax per 64 and an f32 per 256 blocks. */
const nf4BytesPerElement = (double: boolean) => (double ? 0.5 + 1 / 64 + 4 / (64 * 256) : 0.5 + 4 / 64);

/**
 * Estimate GPU bytes for one training configuration. Everything is f32 (4 bytes) except QLoRA's frozen linears.
 * - weights: all parameters; QLoRA stores every linear except DenseReluDense.wo and lm_head (kept in full precision,
 *   as Transformers does for T5) as NF4; LoRA/QLoRA add the adapters r*(in+out) per targeted linear.
 * - grads: one per trainable element. optimizer: AdamW's two moments, 8 bytes per trainable element.
 * - activations: what the forward pass keeps for backward, per token and layer (B batch, Ti/To lengths, C, F,
 *   I = NH*D): encoder 4C + 4I + NH*Ti + f(F) + 2 rstd; decoder self and cross attention 6C + 6I + NH*(To+Ti) + f(F)
 *   + 3 rstd plus the cross keys/values 2*I*Ti per sequence; f(F) = 4F gated, 2F relu; embeddings (Ti+To)*C;
 *   logits and their gradient 2*To*V. Dropout masks and kernel scratch are not counted: treat it as a lower bound
 *   and compare with the engine's byte accounting, which is the measured figure.
 */
export function estimateMemory(c: T5Config, o: MemoryEstimateOptions): MemoryEstimate {
  const specs = t5ParameterSpecs(c);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const totalParams = specs.reduce((n, s) => n + size(s.shape), 0);
  const rank = o.loraRank ?? DEFAULT_LORA_RANK;
  const targets: readonly string[] = o.loraTargets ?? ALL_LINEAR_TARGETS;
  const NF4_BYTES_PER_ELEMENT = nf4BytesPerElement(o.doubleQuant ?? false);
  let loraParams = 0;
  let weights = 0;
  for (const s of specs) {
    const n = size(s.shape);
    const module = s.name.split('.').slice(-2, -1)[0];
    const frozenNf4 = o.method === 'qlora' && s.kind === 'linear' && module !== 'wo';
    weights += frozenNf4 ? n * NF4_BYTES_PER_ELEMENT : n * 4;
    if (o.method !== 'full' && s.kind === 'linear' && targets.includes(module)) loraParams += rank * (s.shape[0] + s.shape[1]);
  }
  weights += loraParams * 4;
  const trainableParams = o.method === 'full' ? totalParams : loraParams;
  const { batch: B, inputLength: Ti, targetLength: To } = o;
  const C = c.d_model;
  const I = c.num_heads * c.d_kv;
  const NH = c.num_heads;
  const f = c.feed_forward_proj === 'gated-gelu' ? 4 * c.d_ff : 2 * c.d_ff;
  const encoderLayer = B * Ti * (4 * C + 4 * I + NH * Ti + f + 2);
  const decoderLayer = B * To * (6 * C + 6 * I + NH * (To + Ti) + f + 3) + B * Ti * 2 * I;
  const floats = c.num_layers * encoderLayer + c.num_decoder_layers * decoderLayer + B * (Ti + To) * C + 2 * B * To * c.vocab_size;
  const activations = floats * 4;
  const grads = trainableParams * 4;
  const optimizer = trainableParams * 8;
  return {
    totalParams, trainableParams, weights: Math.round(weights), grads, optimizer, activations,
    total: Math.round(weights) + grads + optimizer + activations,
  };
}

/** The largest single buffer training needs: the biggest weight (f32) or the (B*To, V) logits. */
export function largestTrainingBuffer(c: T5Config, shape: { batch: number; targetLength: number }): { what: string; bytes: number } {
  let largest = { what: `logits (${shape.batch} × ${shape.targetLength} × vocab)`, bytes: 4 * shape.batch * shape.targetLength * c.vocab_size };
  for (const s of t5ParameterSpecs(c)) {
    const bytes = 4 * s.shape.reduce((a, b) => a * b, 1);
    if (bytes > largest.bytes) largest = { what: s.name, bytes };
  }
  return largest;
}
