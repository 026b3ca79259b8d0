// Merged export: weights with every adapter folded in (src/model/merge.ts) written as a plain Hugging Face
// checkpoint folder (config.json, model.safetensors, tokenizer files) that Transformers loads without PEFT.
import { t5ConfigToJson, type T5Config } from '../model/config';
import { t5ParameterSpecs } from '../model/hf-names';
import { modelCardMarkdown, type ModelCard } from './peft-card';
import type { PeftLoraConfig } from './peft-config';
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
  /** The adapter that was merged (peftConfigFor), named in the card; null or absent when there was none. */
  adapter?: PeftLoraConfig | null;
}

const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

/** The merged checkpoint folder: config.json, model.safetensors, tokenizer.json (+ given tokenizer files, README.md). */
export function mergedCheckpointFiles(config: T5Config, weights: ReadonlyMap<string, Float32Array>, o: MergedExportOptions): FileMap {
  const dtype = o.dtype ?? 'F32';
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of t5ParameterSpecs(config)) {
    const data = weights.get(spec.name);
    if (!data) throw new Error(`merged export: no weight ${spec.name}`);
    tensors.set(spec.name, { dtype, shape: [...spec.shape], data });
  }
  const files: FileMap = new Map();
  files.set('config.json', `${JSON.stringify({ ...t5ConfigToJson(config), torch_dtype: TORCH_DTYPE[dtype] }, null, 2)}\n`);
  files.set('model.safetensors', serializeSafetensors(tensors));
  files.set('tokenizer.json', o.tokenizerJson);
  for (const [name, data] of o.tokenizerFiles ?? []) if (!files.has(name)) files.set(name, data);
  if (o.card) files.set('README.md', modelCardMarkdown(o.card, o.adapter ?? null, { merged: true }));
  return files;
}
