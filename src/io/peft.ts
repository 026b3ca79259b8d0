// LoRA adapters in and out in Hugging Face PEFT's format: adapter_config.json + adapter_model.safetensors with
// keys base_model.model.<module path>.lora_A.weight (r, in) and .lora_B.weight (out, r), plus a README.md card.
// Trainable token rows travel as PEFT saves them: base_model.model.shared.token_adapter.trainable_tokens_delta (K, C)
// (and .lm_head. for an untied head), with their ids in adapter_config.json's trainable_token_indices.
// Import checks every key and shape against the base model before touching it, so a refused adapter changes nothing.
import { zipSync } from 'fflate';
import type { Gpu } from '../gpu/gpu';
import { addAdapter, freezeBase, peftKey } from '../model/lora';
import { attachTrainableTokens, detachTrainableTokens, TOKEN_ROWS_KEY } from '../model/trainable-tokens';
import type { LoraAdapter } from '../model/parameters';
import type { T5Model } from '../model/t5-model';
import type { CheckpointSource } from './checkpoint';
import { memoryCheckpointSource } from './checkpoint';
import { modelCardMarkdown, type ModelCard } from './peft-card';
import { parsePeftConfig, patternValue, peftConfigFor, type ParsedPeftConfig, type PeftLoraConfig } from './peft-config';
import { readSafetensorsHeader, readTensorF32, serializeSafetensors, type TensorToWrite } from './safetensors';

/** Files by name (relative to the folder): bytes or text. */
export type FileMap = Map<string, Uint8Array | string>;

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

const KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

export interface AdapterExportOptions {
  /** base_model_name_or_path: a hub id or the folder the base came from. */
  baseModel: string;
  /** Writes README.md when given. */
  card?: ModelCard;
}

/** The model's adapters as PEFT files (adapter_config.json, adapter_model.safetensors, README.md with a card). */
export async function exportAdapter(gpu: Gpu, model: T5Model, o: AdapterExportOptions): Promise<FileMap> {
  const config = peftConfigFor(model, o.baseModel);
  const tensors = new Map<string, TensorToWrite>();
  for (const a of model.params.adapters.values()) {
    for (const p of [a.A, a.B]) tensors.set(p.name, { dtype: 'F32', shape: [...p.shape], data: await gpu.readF32(p.value) });
  }
  for (const p of model.params.tokenParams()) tensors.set(p.name, { dtype: 'F32', shape: [...p.shape], data: await gpu.readF32(p.value) });
  const files: FileMap = new Map();
  files.set(ADAPTER_CONFIG, `${JSON.stringify(config, null, 2)}\n`);
  files.set(ADAPTER_WEIGHTS, serializeSafetensors(tensors));
  const nf4 = [...model.params.params.values()].filter((p) => p.storage === 'nf4');
  if (o.card) files.set('README.md', modelCardMarkdown(o.card, config, { quantized: nf4.length > 0, doubleQuant: nf4.some((p) => p.nf4.double !== null) }));
  return files;
}

/** A zip of the files (in a folder inside the zip when `folder` is given), for one download. */
export function zipFiles(files: FileMap, folder = ''): Uint8Array {
  const encoder = new TextEncoder();
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of files) entries[folder ? `${folder}/${name}` : name] = typeof data === 'string' ? encoder.encode(data) : data;
  return zipSync(entries, { level: 6 });
}

export interface AdapterImportOptions {
  /** Allocate gradients and freeze the base, to continue training; false loads for inference only. */
  trainable: boolean;
}

export interface ImportedAdapter {
  config: ParsedPeftConfig;
  adapters: LoraAdapter[];
}

interface PlannedAdapter {
  path: string;
  r: number;
  alpha: number;
  keys: { A?: string; B?: string };
}

function sourceOf(s: CheckpointSource | FileMap): CheckpointSource {
  return s instanceof Map ? memoryCheckpointSource(s, 'adapter files') : s;
}

/**
 * Load a PEFT LoRA adapter onto a matching base model. Refuses, naming the key, any key that is not a LoRA A/B of a
 * linear module of this model, any shape that does not fit the base, a missing A or B, and unsupported configs.
 */
export async function importAdapter(gpu: Gpu, model: T5Model, from: CheckpointSource | FileMap, o: AdapterImportOptions): Promise<ImportedAdapter> {
  const source = sourceOf(from);
  const label = source.label;
  const files = new Set(await source.list());
  if (!files.has(ADAPTER_CONFIG)) throw new Error(`${label}: no ${ADAPTER_CONFIG}`);
  if (!files.has(ADAPTER_WEIGHTS)) {
    const bin = files.has('adapter_model.bin') ? ' (it has adapter_model.bin: Stepwise only reads safetensors, pickled files can run code)' : '';
    throw new Error(`${label}: no ${ADAPTER_WEIGHTS}${bin}`);
  }
  if (model.params.adapters.size > 0) throw new Error(`the model already has ${model.params.adapters.size} LoRA adapters; detach them before importing`);
  if (model.params.tokens) throw new Error('the model already trains token rows; detach them before importing');
  const config = parsePeftConfig(await source.text(ADAPTER_CONFIG), `${label}/${ADAPTER_CONFIG}`);
  const bytes = await source.open(ADAPTER_WEIGHTS);
  const header = await readSafetensorsHeader(bytes, `${label}/${ADAPTER_WEIGHTS}`);
  const where = `${label}/${ADAPTER_WEIGHTS}`;

  const plan = new Map<string, PlannedAdapter>();
  const tokenKeys = checkTokenRows(model, config, header.tensors, where);
  for (const [key, info] of header.tensors) {
    if (tokenKeys.has(key)) continue;
    const m = KEY.exec(key);
    if (!m) throw new Error(`${where}: unknown key ${key} (expected base_model.model.<module>.lora_A.weight or .lora_B.weight)`);
    const [, path, which] = m;
    const base = model.params.params.get(`${path}.weight`);
    if (!base || base.kind !== 'linear') throw new Error(`${where}: unknown key ${key}: the base model has no linear module ${path}`);
    const [out, inp] = base.shape;
    const r = patternValue(config.rankPattern, path, config.r);
    const want = which === 'A' ? [r, inp] : [out, r];
    if (info.shape.length !== 2 || info.shape[0] !== want[0] || info.shape[1] !== want[1]) {
      throw new Error(`${where}: ${key} has shape [${info.shape.join(', ')}], but the base model's ${path} (out ${out}, in ${inp}) with r ${r} needs [${want.join(', ')}]`);
    }
    const entry = plan.get(path) ?? { path, r, alpha: patternValue(config.alphaPattern, path, config.alpha), keys: {} };
    entry.keys[which as 'A' | 'B'] = key;
    plan.set(path, entry);
  }
  if (plan.size === 0) throw new Error(`${where}: no LoRA tensors`);
  for (const e of plan.values()) {
    if (!e.keys.A) throw new Error(`${where}: ${peftKey(e.path, 'B')} has no matching ${peftKey(e.path, 'A')}`);
    if (!e.keys.B) throw new Error(`${where}: ${peftKey(e.path, 'A')} has no matching ${peftKey(e.path, 'B')}`);
  }

  const order = [...model.params.params.keys()];
  const planned = [...plan.values()].sort((a, b) => order.indexOf(`${a.path}.weight`) - order.indexOf(`${b.path}.weight`));
  const adapters: LoraAdapter[] = [];
  try {
    for (const e of planned) {
      const A = await readTensorF32(bytes, header, e.keys.A!);
      const B = await readTensorF32(bytes, header, e.keys.B!);
      adapters.push(addAdapter(gpu, model, e.path, {
        r: e.r, alpha: e.alpha, rslora: config.rslora, dropout: config.dropout, A, B, trainable: o.trainable,
      }));
    }
    if (config.tokenIndices) {
      const shared = await readTensorF32(bytes, header, TOKEN_ROWS_KEY.shared);
      const lmHead = config.tokenIndices.lmHead ? await readTensorF32(bytes, header, TOKEN_ROWS_KEY.lmHead) : null;
      // The rows are for a frozen embedding: freeze first when training continues (a full model would refuse them).
      if (o.trainable) freezeBase(gpu, model);
      await attachTrainableTokens(gpu, model, config.tokenIndices.shared, { rows: { shared, lmHead }, trainable: o.trainable });
    }
  } catch (err) {
    for (const a of adapters) {
      gpu.free(a.A.value, a.A.grad, a.B.value, a.B.grad);
      model.params.adapters.delete(a.path);
    }
    detachTrainableTokens(gpu, model.params);
    throw err;
  }
  if (o.trainable) freezeBase(gpu, model);
  return { config, adapters };
}

/**
 * The token-row tensors the adapter must hold, checked against trainable_token_indices and the model: shape (K, C)
 * each, lm_head rows only for an untied head, no rows without indices. Returns their keys.
 */
function checkTokenRows(model: T5Model, config: ParsedPeftConfig, tensors: Map<string, { shape: number[] }>, where: string): Set<string> {
  const present = [TOKEN_ROWS_KEY.shared, TOKEN_ROWS_KEY.lmHead].filter((k) => tensors.has(k));
  const t = config.tokenIndices;
  if (!t) {
    if (present.length > 0) throw new Error(`${where}: ${present[0]} is present, but adapter_config.json has no trainable_token_indices`);
    return new Set();
  }
  const { C, tied } = model.dims;
  if (t.lmHead && tied) throw new Error(`${where}: trainable_token_indices names lm_head, but the base model ties lm_head to the embedding`);
  const want = [TOKEN_ROWS_KEY.shared, ...(t.lmHead ? [TOKEN_ROWS_KEY.lmHead] : [])];
  for (const key of want) {
    const info = tensors.get(key);
    if (!info) throw new Error(`${where}: trainable_token_indices lists ${t.shared.length} tokens, but ${key} is missing`);
    if (info.shape.length !== 2 || info.shape[0] !== t.shared.length || info.shape[1] !== C) {
      throw new Error(`${where}: ${key} has shape [${info.shape.join(', ')}], but ${t.shared.length} token ids of a d_model ${C} model need [${t.shared.length}, ${C}]`);
    }
  }
  for (const key of present) if (!want.includes(key)) throw new Error(`${where}: ${key} is present, but trainable_token_indices does not name lm_head`);
  return new Set(want);
}

export type { ModelCard, PeftLoraConfig };
