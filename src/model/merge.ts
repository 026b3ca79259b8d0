// Adapters folded into their base weights, W' = W + scaling * B A, on the GPU one weight at a time (NF4 bases are
// dequantized first); only the host copies grow. src/io/merged-checkpoint.ts writes the result as a checkpoint,
// asking for one weight at a time (mergedWeightReader) as it streams model.safetensors.
import type { Gpu } from '../gpu/gpu';
import { matmul } from '../gpu/kernels/matmul';
import { nf4Dequantize } from '../gpu/kernels/nf4';
import type { Tensor } from '../gpu/tensor';
import { t5ParameterSpecs } from './hf-names';
import type { LoraAdapter, Param } from './parameters';
import type { T5Model } from './t5-model';
import { syncTokenRows } from './trainable-tokens';

/** into (out, in) = base + scaling * B (out, r) . A (r, in): the adapter folded into its base weight. */
export function foldLora(gpu: Gpu, into: Tensor, base: Tensor, adapter: LoraAdapter, shape: readonly number[]): void {
  const [out, inp] = shape;
  matmul(gpu, into, adapter.B.value, adapter.A.value, { M: out, N: inp, K: adapter.r }, { alpha: adapter.scaling, residual: base });
}

/** One parameter's f32 values with its adapter folded in (base + scaling * B A), read back to the host. */
export async function mergedWeight(gpu: Gpu, model: T5Model, p: Param): Promise<Float32Array> {
  const path = p.name.endsWith('.weight') ? p.name.slice(0, -'.weight'.length) : p.name;
  const adapter = model.params.adapters.get(path);
  if (p.storage === 'dense' && !adapter) return gpu.readF32(p.value);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const temps: Tensor[] = [];
  try {
    let base: Tensor;
    if (p.storage === 'nf4') {
      base = gpu.tensor([n], 'f32', 'scratch', `merge dequant:${p.name}`);
      temps.push(base);
      nf4Dequantize(gpu, base, p.nf4);
    } else {
      base = p.value;
    }
    if (!adapter) return await gpu.readF32(base);
    const merged = gpu.tensor([n], 'f32', 'scratch', `merged:${p.name}`);
    temps.push(merged);
    foldLora(gpu, merged, base, adapter, p.shape);
    return await gpu.readF32(merged);
  } finally {
    gpu.flush();
    gpu.free(...temps);
  }
}

/** Every parameter of the model, by Hugging Face name in checkpoint order, with its adapter folded in. */
export async function mergedWeights(gpu: Gpu, model: T5Model): Promise<Map<string, Float32Array>> {
  const read = mergedWeightReader(gpu, model);
  const weights = new Map<string, Float32Array>();
  for (const spec of t5ParameterSpecs(model.config)) weights.set(spec.name, await read(spec.name));
  return weights;
}

/**
 * Merged weights one at a time by Hugging Face name, for a writer that stores each before asking for the next (the
 * streamed merged export): the host holds one weight, not the model.
 */
export function mergedWeightReader(gpu: Gpu, model: T5Model): (name: string) => Promise<Float32Array> {
  syncTokenRows(gpu, model.params);
  return (name) => mergedWeight(gpu, model, model.params.get(name));
}
