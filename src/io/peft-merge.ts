// Merged export: every adapter folded into its base weight, W' = W + scaling * B A, written as a plain Hugging Face
// checkpoint folder (config.json, model.safetensors, tokenizer files) that Transformers loads without PEFT.
// The fold runs on the GPU one weight at a time (NF4 bases are dequantized first); only the host copy grows.
import type { Gpu } from '../gpu/gpu';
import { matmul } from '../gpu/kernels/matmul';
import { nf4Dequantize } from '../gpu/kernels/nf4';
import type { Tensor } from '../gpu/tensor';
import { t5ConfigToJson } from '../model/config';
import { t5ParameterSpecs } from '../model/hf-names';
import type { Param } from '../model/parameters';
import { syncTokenRows } from '../model/trainable-tokens';
import type { T5Model } from '../model/t5-model';
import { modelCardMarkdown, type ModelCard } from './peft-card';
import { peftConfigFor } from './peft-config';
import type { FileMap } from './peft';
import { serializeSafetensors, type TensorToWrite } from './safetensors';

export interface MergedExportOptions {
  /** tokenizer.json text (required: the folder must load on its own). */
  tokenizerJson: string;
  /** Other tokenizer files to copy (tokenizer_config.json, special_tokens_map.json). */
  tokenizerFiles?: FileMap;
  /** Stored dtype; default F32. */
  dtype?: 'F32' | 'F16' | 'BF16';
  card?: ModelCard;
  /** base_model_name_or_path for the card. */
  baseModel?: string;
}

const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

/** One parameter's f32 values with its adapter folded in (base + scaling * B A), read back to the host. */
export async function mergedWeight(gpu: Gpu, model: T5Model, p: Param): Promise<Float32Array> {
  const path = p.name.endsWith('.weight') ? p.name.slice(0, -'.weight'.length) : p.name;
  const adapter = model.params.adapters.get(path);
  if (!p.nf4 && !adapter) return gpu.readF32(p.value!);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const temps: Tensor[] = [];
  try {
    let base: Tensor;
    if (p.nf4) {
      base = gpu.tensor([n], 'f32', 'scratch', `merge dequant:${p.name}`);
      temps.push(base);
      nf4Dequantize(gpu, base, p.nf4);
    } else {
      base = p.value!;
    }
    if (!adapter) return await gpu.readF32(base);
    const [out, inp] = p.shape;
    // W' (out, in) = W + scaling * B (out, r) . A (r, in)
    const merged = gpu.tensor([n], 'f32', 'scratch', `merged:${p.name}`);
    temps.push(merged);
    matmul(gpu, merged, adapter.B.value!, adapter.A.value!, { M: out, N: inp, K: adapter.r }, { alpha: adapter.scaling, residual: base });
    return await gpu.readF32(merged);
  } finally {
    gpu.flush();
    gpu.free(...temps);
  }
}

/** The merged checkpoint folder: config.json, model.safetensors, tokenizer.json (+ given tokenizer files, README.md). */
export async function exportMerged(gpu: Gpu, model: T5Model, o: MergedExportOptions): Promise<FileMap> {
  const dtype = o.dtype ?? 'F32';
  // Trained token rows live in the base weights once copied there; copy them now in case no forward ran since.
  syncTokenRows(gpu, model.params);
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of t5ParameterSpecs(model.config)) {
    const data = await mergedWeight(gpu, model, model.params.get(spec.name));
    tensors.set(spec.name, { dtype, shape: [...spec.shape], data });
  }
  const files: FileMap = new Map();
  files.set('config.json', `${JSON.stringify({ ...t5ConfigToJson(model.config), torch_dtype: TORCH_DTYPE[dtype] }, null, 2)}\n`);
  files.set('model.safetensors', serializeSafetensors(tensors));
  files.set('tokenizer.json', o.tokenizerJson);
  for (const [name, data] of o.tokenizerFiles ?? []) if (!files.has(name)) files.set(name, data);
  if (o.card) {
    const adapter = model.params.adapters.size > 0 ? peftConfigFor(model, o.baseModel ?? 'unknown') : null;
    files.set('README.md', modelCardMarkdown(o.card, adapter, { merged: true }));
  }
  return files;
}
