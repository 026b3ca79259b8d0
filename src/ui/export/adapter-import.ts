// A PEFT adapter picked as a zip or a folder, checked before it is kept: the files under one folder (the zip's or
// folder's top folder is dropped), adapter_config.json parsing as a LoRA config, adapter_model.safetensors present.
// The weights themselves are checked by the engine when it first builds a model with them.
import { unzipSync } from 'fflate';
import type { FileRecord } from '../../engine/run-api';

export interface ParsedAdapter {
  files: FileRecord;
  base: string;
  r: number;
  alpha: number;
}

const TEXT = /\.(json|jsonl|md|txt|model)$/;

/** Files by path (a zip's entries or a folder's relative paths) as one adapter folder. */
export function parseAdapterFiles(entries: Record<string, Uint8Array>, where: string): ParsedAdapter {
  const names = Object.keys(entries).filter((n) => !n.endsWith('/') && !n.split('/').some((p) => p.startsWith('.') || p === '__MACOSX'));
  const configPath = names.filter((n) => n.split('/').pop() === 'adapter_config.json').sort((a, b) => a.length - b.length)[0];
  if (!configPath) throw new Error(`${where}: no adapter_config.json (a PEFT adapter has adapter_config.json and adapter_model.safetensors)`);
  const prefix = configPath.slice(0, configPath.length - 'adapter_config.json'.length);
  const files: FileRecord = {};
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const name = n.slice(prefix.length);
    files[name] = TEXT.test(name) && name !== 'spiece.model' ? new TextDecoder().decode(entries[n]) : entries[n];
  }
  if (!(files['adapter_model.safetensors'] instanceof Uint8Array)) {
    throw new Error(`${where}: no adapter_model.safetensors next to ${configPath} (adapter_model.bin, PyTorch's pickle format, cannot be read here)`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(files['adapter_config.json'] as string) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${where}: ${configPath} is not valid JSON (${(e as Error).message})`);
  }
  if (config.peft_type !== undefined && config.peft_type !== 'LORA') throw new Error(`${where}: ${configPath}: peft_type is ${JSON.stringify(config.peft_type)}; only LORA adapters are supported`);
  const r = Number(config.r);
  if (!Number.isInteger(r) || r < 1) throw new Error(`${where}: ${configPath}: "r" must be a positive integer (got ${JSON.stringify(config.r)})`);
  const alpha = Number(config.lora_alpha ?? r);
  return { files, base: typeof config.base_model_name_or_path === 'string' ? config.base_model_name_or_path : '', r, alpha };
}

/** An adapter zip's bytes. */
export function parseAdapterZip(zip: Uint8Array, name: string): ParsedAdapter {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new Error(`${name}: not a readable zip (${(e as Error).message})`);
  }
  return parseAdapterFiles(entries, name);
}
