// Merged export: weights with every adapter folded in (src/model/merge.ts) written as a plain Hugging Face
// checkpoint folder (config.json, model.safetensors, tokenizer files) that Transformers loads without PEFT. The
// weights are asked for one at a time as model.safetensors is written, so no second copy of the model is built.
import { t5ConfigToJson, type T5Config } from '../model/config';
import { t5ParameterSpecs } from '../model/hf-names';
import { wholeFile, type StreamedFile } from './export-stream';
import { modelCardMarkdown, type ModelCard } from './peft-card';
import type { PeftLoraConfig } from './peft-config';
import type { FileMap } from './peft';
import { streamedSafetensors } from './safetensors-stream';

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

/**
 * The merged checkpoint folder: config.json, model.safetensors, tokenizer.json (+ given tokenizer files,
 * README.md), in that order. `weight` is called once per parameter, by Hugging Face name in checkpoint order,
 * while model.safetensors is written.
 */
export function mergedCheckpointFiles(config: T5Config, weight: (name: string) => Promise<Float32Array>, o: MergedExportOptions): StreamedFile[] {
  const dtype = o.dtype ?? 'F32';
  const layout = t5ParameterSpecs(config).map((spec) => ({ name: spec.name, dtype, shape: [...spec.shape] }));
  const files: StreamedFile[] = [
    wholeFile('config.json', `${JSON.stringify({ ...t5ConfigToJson(config), torch_dtype: TORCH_DTYPE[dtype] }, null, 2)}\n`),
    streamedSafetensors('model.safetensors', layout, (t) => weight(t.name)),
    wholeFile('tokenizer.json', o.tokenizerJson),
  ];
  const names = new Set(files.map((f) => f.name));
  for (const [name, data] of o.tokenizerFiles ?? []) if (!names.has(name)) files.push(wholeFile(name, data));
  if (o.card) files.push(wholeFile('README.md', modelCardMarkdown(o.card, o.adapter ?? null, { merged: true })));
  return files;
}
