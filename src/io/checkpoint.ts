// Load a Hugging Face T5 checkpoint folder from any source of named files (Node folder, picked browser files,
// the hub): config.json, tokenizer.json (+ tokenizer_config.json, special_tokens_map.json) and safetensors weights,
// single-file or sharded. Only headers are read up front; tensors are read one at a time on demand.
import { type T5Config, parseT5Config } from '../model/config';
import { type ParameterSpec, matchT5Tensors } from '../model/hf-names';
import { type ByteSource, memorySource } from './byte-source';
import {
  SHARD_INDEX_FILE, type SafetensorsDtype, type SafetensorsHeader, parseShardIndex, readSafetensorsHeader,
  readTensorF32,
} from './safetensors';

/** Files of one checkpoint folder, by name relative to the folder ("config.json", "model.safetensors"). */
export interface CheckpointSource {
  /** Names the folder in messages: a path, "hub google/flan-t5-small", "picked folder flan". */
  readonly label: string;
  list(): Promise<string[]>;
  open(name: string): Promise<ByteSource>;
  text(name: string): Promise<string>;
}

export interface LoadProgress {
  stage: 'config' | 'tokenizer' | 'weights';
  file: string;
  /** Steps finished out of total (files read so far). */
  done: number;
  total: number;
}

export interface LoadedCheckpoint {
  label: string;
  config: T5Config;
  /** tokenizer.json text, for createTextTokenizer. */
  tokenizerJson: string;
  /** tokenizer_config.json merged over special_tokens_map.json, when either exists. */
  tokenizerConfig?: Record<string, unknown>;
  /** Every parameter in HF order with its expected shape. */
  specs: ParameterSpec[];
  /** Stored dtype of a parameter (by spec name). */
  dtypeOf(name: string): SafetensorsDtype;
  /** One parameter as float32 (by spec name), read from its file now. */
  readTensor(name: string): Promise<Float32Array>;
  /** All parameters in spec order, one at a time (holds at most one tensor). */
  tensors(): AsyncGenerator<{ spec: ParameterSpec; data: Float32Array }>;
  /** Stored tensors not used: tied duplicates, old cross-attention relative bias. */
  ignored: string[];
}

const WEIGHT_FILE = 'model.safetensors';
const REFUSED = ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'tf_model.h5', 'flax_model.msgpack'];

export async function loadCheckpoint(
  source: CheckpointSource, onProgress?: (p: LoadProgress) => void,
): Promise<LoadedCheckpoint> {
  const label = source.label;
  const files = new Set(await source.list());
  const has = (f: string) => files.has(f);
  const refused = REFUSED.find(has);
  if (!has(WEIGHT_FILE) && !has(SHARD_INDEX_FILE)) {
    if (refused) {
      throw new Error(`${label}: has ${refused} but no model.safetensors. Stepwise only reads safetensors (pickled ` +
        'PyTorch files can run code); convert it, e.g. model.save_pretrained(dir, safe_serialization=True), or pick ' +
        'a folder with model.safetensors.');
    }
    throw new Error(`${label}: no model.safetensors or ${SHARD_INDEX_FILE} (files: ${[...files].sort().join(', ') || 'none'})`);
  }
  if (!has('config.json')) throw new Error(`${label}: no config.json`);
  if (!has('tokenizer.json')) {
    throw new Error(`${label}: no tokenizer.json (the fast-tokenizer file; spiece.model alone is not supported)`);
  }

  const sharded = has(SHARD_INDEX_FILE);
  const index = sharded ? parseShardIndex(await source.text(SHARD_INDEX_FILE), `${label}/${SHARD_INDEX_FILE}`) : null;
  const weightFiles = index ? index.files : [WEIGHT_FILE];
  const total = 2 + weightFiles.length;
  let done = 0;
  const step = (stage: LoadProgress['stage'], file: string) => onProgress?.({ stage, file, done: ++done, total });

  const config = parseT5Config(parseJson(await source.text('config.json'), `${label}/config.json`), `${label}/config.json`);
  step('config', 'config.json');
  const tokenizerJson = await source.text('tokenizer.json');
  parseJson(tokenizerJson, `${label}/tokenizer.json`);
  let tokenizerConfig: Record<string, unknown> | undefined;
  for (const f of ['special_tokens_map.json', 'tokenizer_config.json']) {
    if (has(f)) tokenizerConfig = { ...tokenizerConfig, ...(parseJson(await source.text(f), `${label}/${f}`) as object) };
  }
  step('tokenizer', 'tokenizer.json');

  const opened = new Map<string, { bytes: ByteSource; header: SafetensorsHeader }>();
  const where = new Map<string, string>(); // stored tensor name -> weight file
  for (const file of weightFiles) {
    if (!has(file)) throw new Error(`${label}: ${SHARD_INDEX_FILE} names ${file}, which is not in the folder`);
    const bytes = await source.open(file);
    const header = await readSafetensorsHeader(bytes, `${label}/${file}`);
    opened.set(file, { bytes, header });
    for (const name of header.tensors.keys()) {
      if (where.has(name)) throw new Error(`${label}: tensor "${name}" is in both ${where.get(name)} and ${file}`);
      where.set(name, file);
    }
    step('weights', file);
  }
  if (index) {
    for (const [name, file] of index.weightMap) {
      if (where.get(name) !== file) {
        throw new Error(`${label}/${SHARD_INDEX_FILE}: maps "${name}" to ${file}, but ${where.has(name) ? `it is in ${where.get(name)}` : 'no shard has it'}`);
      }
    }
  }
  const info = (stored: string) => opened.get(where.get(stored)!)!.header.tensors.get(stored)!;
  const shapes = new Map<string, number[]>([...where.keys()].map((n) => [n, info(n).shape]));
  const match = matchT5Tensors(config, shapes, label);
  const storedOf = (name: string) => {
    const stored = match.storedName.get(name);
    if (!stored) throw new Error(`${label}: "${name}" is not a parameter of this T5 config`);
    return stored;
  };
  const readTensor = async (name: string) => {
    const stored = storedOf(name);
    const { bytes, header } = opened.get(where.get(stored)!)!;
    return readTensorF32(bytes, header, stored);
  };
  return {
    label,
    config,
    tokenizerJson,
    tokenizerConfig,
    specs: match.specs,
    dtypeOf: (name) => info(storedOf(name)).dtype,
    readTensor,
    async *tensors() {
      for (const spec of match.specs) yield { spec, data: await readTensor(spec.name) };
    },
    ignored: match.ignored,
  };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** A CheckpointSource over files already in memory (generated checkpoints, tests). */
export function memoryCheckpointSource(files: Map<string, Uint8Array | string>, label = 'memory'): CheckpointSource {
  const bytesOf = (name: string) => {
    const f = files.get(name);
    if (f === undefined) throw new Error(`${label}: no file ${name}`);
    return typeof f === 'string' ? new TextEncoder().encode(f) : f;
  };
  return {
    label,
    list: async () => [...files.keys()],
    open: async (name) => {
      return memorySource(bytesOf(name), `${label}/${name}`);
    },
    text: async (name) => new TextDecoder().decode(bytesOf(name)),
  };
}
