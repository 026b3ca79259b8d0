// A run that continues a PEFT LoRA adapter instead of a fresh one. The adapter decides the LoRA settings (r,
// lora_alpha, lora_dropout, the adapted modules, use_rslora): a run setting that contradicts it is refused naming
// the field, never silently overridden. Its weights (and its trainable token rows) load as trainable; AdamW's moments
// start at zero. A run can only express "these module names in both stacks at one rank and alpha", so an adapter
// shaped otherwise (one stack, rank_pattern) is refused up front: that is what lets a resume rebuild the same
// adapters from the run's settings and load the checkpoint onto them by name.
import type { FileRecord, StartAdapter } from '../engine/run-api';
import { memorySource } from '../io/byte-source';
import { importAdapter, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../io/peft';
import { parsePeftConfig, patternValue } from '../io/peft-config';
import { readSafetensorsHeader } from '../io/safetensors';
import type { Gpu } from '../gpu/gpu';
import type { T5Config } from '../model/config';
import { linearModules, loraTargetModules } from '../model/lora';
import type { T5Model } from '../model/t5-model';
import { attachTrainableTokens, detachTrainableTokens, meanRow, TOKEN_ROWS_KEY } from '../model/trainable-tokens';
import { ALL_LINEAR_TARGETS, type LoraSettings, type RunConfig } from '../settings/run-config';
import { fileBytes, fileText } from './run-files';

/** What a run needs to know about its start adapter before anything is on the GPU. */
export interface StartAdapterInfo {
  label: string;
  /** SHA-256 of adapter_model.safetensors (hex): which adapter, beyond its name. */
  sha256: string;
  /** The run's LoRA settings, as the adapter has them. */
  lora: LoraSettings;
  /** Token ids whose embedding rows the adapter trained (trainable_token_indices). */
  tokenIds: number[];
  baseModel: string | null;
  /** The adapter's own (augmented) tokenizer, when it carries one: the run tokenizes with it. */
  tokenizer: { tokenizerJson: string; tokenizerConfig?: Record<string, unknown> } | null;
}

const KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Read the adapter's config and tensor header and check them against the base's shapes, naming the file and key.
 * Nothing is loaded; importAdapter checks the same again when the weights go onto the GPU.
 */
export async function readStartAdapter(adapter: StartAdapter, base: T5Config): Promise<StartAdapterInfo> {
  if (typeof adapter !== 'object' || adapter === null || typeof adapter.files !== 'object' || adapter.files === null) throw new Error('the start adapter needs { label, files }');
  const label = typeof adapter.label === 'string' && adapter.label.trim() ? adapter.label.trim() : 'adapter';
  const files = adapter.files;
  if (files[ADAPTER_CONFIG] === undefined) throw new Error(`adapter ${label}: no ${ADAPTER_CONFIG}`);
  if (files[ADAPTER_WEIGHTS] === undefined) throw new Error(`adapter ${label}: no ${ADAPTER_WEIGHTS}`);
  const config = parsePeftConfig(fileText(files, ADAPTER_CONFIG, `adapter ${label}`), `${label}/${ADAPTER_CONFIG}`);
  const weights = fileBytes(files, ADAPTER_WEIGHTS, `adapter ${label}`);
  const where = `${label}/${ADAPTER_WEIGHTS}`;
  const header = await readSafetensorsHeader(memorySource(weights, where), where);

  const modules = new Map(linearModules(base).map((m) => [m.path, m]));
  const paths = new Set<string>();
  for (const [key, info] of header.tensors) {
    if (key === TOKEN_ROWS_KEY.shared || key === TOKEN_ROWS_KEY.lmHead) continue;
    const m = KEY.exec(key);
    if (!m) throw new Error(`${where}: unknown key ${key} (expected base_model.model.<module>.lora_A.weight or .lora_B.weight)`);
    const [, path, which] = m;
    const mod = modules.get(path);
    if (!mod) throw new Error(`${where}: unknown key ${key}: the base model has no linear module ${path}`);
    const r = patternValue(config.rankPattern, path, config.r);
    const alpha = patternValue(config.alphaPattern, path, config.alpha);
    if (r !== config.r || alpha !== config.alpha) {
      throw new Error(`${where}: ${path} has r ${r}, lora_alpha ${alpha} (rank_pattern / alpha_pattern) but the adapter's r is ${config.r}, lora_alpha ${config.alpha}; a run trains one rank and alpha for every module`);
    }
    const want = which === 'A' ? [r, mod.in] : [mod.out, r];
    if (info.shape.length !== 2 || info.shape[0] !== want[0] || info.shape[1] !== want[1]) {
      throw new Error(`${where}: ${key} has shape [${info.shape.join(', ')}], but the base model's ${path} (out ${mod.out}, in ${mod.in}) with r ${r} needs [${want.join(', ')}]`);
    }
    paths.add(path);
  }
  if (paths.size === 0) throw new Error(`${where}: no LoRA tensors`);
  const names = ALL_LINEAR_TARGETS.filter((t) => [...paths].some((p) => p.endsWith(`.${t}`)));
  const covered = loraTargetModules(base, names, ['encoder', 'decoder']).map((m) => m.path);
  if (!same(covered, [...paths])) {
    throw new Error(`adapter ${label} adapts ${paths.size} modules, not every ${names.join(', ')} module of both stacks (${covered.length}); a run adapts whole module names in the encoder and the decoder, so it cannot continue this adapter`);
  }
  const tokenizerJson = files['tokenizer.json'];
  const tokenizerConfig = files['tokenizer_config.json'];
  let tokenizer: StartAdapterInfo['tokenizer'] = null;
  if (tokenizerJson !== undefined) {
    let parsedConfig: Record<string, unknown> | undefined;
    if (tokenizerConfig !== undefined) {
      try {
        parsedConfig = JSON.parse(fileText(files, 'tokenizer_config.json')) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`adapter ${label}: tokenizer_config.json is not valid JSON (${(e as Error).message})`);
      }
    }
    tokenizer = { tokenizerJson: fileText(files, 'tokenizer.json'), tokenizerConfig: parsedConfig };
  }
  return {
    label,
    sha256: await sha256Hex(weights),
    lora: { rank: config.r, alpha: config.alpha, dropout: config.dropout, targets: names, rslora: config.rslora },
    tokenIds: config.tokenIndices?.shared ?? [],
    baseModel: config.baseModel,
    tokenizer,
  };
}

/**
 * The run's settings with the adapter's LoRA settings: method lora unless qlora is asked for; full fine-tuning, or a
 * LoRA setting that differs from the adapter's, is refused naming the field and both values.
 */
export function startAdapterConfig(given: Partial<RunConfig>, info: StartAdapterInfo): Partial<RunConfig> {
  const method = given.method ?? 'lora';
  if (method !== 'lora' && method !== 'qlora') throw new Error(`method ${method} cannot continue adapter ${info.label}: continuing an adapter trains it with lora or qlora`);
  const l = info.lora;
  const g = (given.lora ?? {}) as Partial<LoraSettings>;
  const clash = (field: string, mine: string, theirs: string) => {
    throw new Error(`${field} ${mine} differs from the adapter's ${theirs} (adapter ${info.label} sets the LoRA settings: leave them out or match them)`);
  };
  if (g.rank !== undefined && g.rank !== l.rank) clash('rank', String(g.rank), `r ${l.rank}`);
  if (g.alpha !== undefined && g.alpha !== l.alpha) clash('alpha', String(g.alpha), `lora_alpha ${l.alpha}`);
  if (g.dropout !== undefined && g.dropout !== l.dropout) clash('LoRA dropout', String(g.dropout), `lora_dropout ${l.dropout}`);
  if (g.targets !== undefined && (!Array.isArray(g.targets) || !same(g.targets, l.targets))) clash('targets', String(g.targets), `target modules ${l.targets.join(',')}`);
  if (g.rslora !== undefined && g.rslora !== l.rslora) clash('rsLoRA', String(g.rslora), `use_rslora ${l.rslora}`);
  return { ...given, method, lora: { ...l, targets: [...l.targets] } };
}

/**
 * Load the start adapter onto a frozen base (NF4 for QLoRA), trainable, and train the rows of tokens the run added
 * beyond the adapter's alongside the adapter's own rows (those keep their trained values; new ones start at the mean
 * row). Returns the token ids whose rows train.
 */
export async function loadStartAdapter(gpu: Gpu, model: T5Model, files: FileRecord, config: RunConfig, addedTokenIds: readonly number[]): Promise<number[]> {
  const imported = await importAdapter(gpu, model, new Map(Object.entries(files)), { trainable: true });
  const l = config.lora;
  for (const a of model.params.adapters.values()) {
    if (a.r !== l.rank || a.alpha !== l.alpha || a.dropout !== l.dropout || a.rslora !== l.rslora) {
      throw new Error(`adapter ${a.path}: r ${a.r}, alpha ${a.alpha}, dropout ${a.dropout}, rsLoRA ${a.rslora} differ from the run's r ${l.rank}, alpha ${l.alpha}, dropout ${l.dropout}, rsLoRA ${l.rslora}`);
    }
  }
  const own = imported.config.tokenIndices?.shared ?? [];
  const extra = addedTokenIds.filter((id) => !own.includes(id));
  if (extra.length === 0) return [...own];
  const ids = [...own, ...extra].sort((a, b) => a - b);
  const { C, tied } = model.dims;
  // The adapter's rows, read before they are detached (which puts the base's rows back).
  const t = model.params.tokens;
  const kept = t ? { shared: await gpu.readF32(t.shared.value), lmHead: t.lmHead ? await gpu.readF32(t.lmHead.value) : null } : null;
  detachTrainableTokens(gpu, model.params);
  const rowsOf = async (name: string, ownRows: Float32Array | null): Promise<Float32Array> => {
    const all = await gpu.readF32(model.params.value(name));
    const mean = meanRow(all, C, ids[0]);
    const out = new Float32Array(ids.length * C);
    ids.forEach((id, j) => {
      const k = own.indexOf(id);
      if (k >= 0) out.set(ownRows ? ownRows.subarray(k * C, (k + 1) * C) : all.subarray(id * C, (id + 1) * C), j * C);
      else out.set(mean, j * C);
    });
    return out;
  };
  const shared = await rowsOf('shared.weight', kept?.shared ?? null);
  const lmHead = tied ? null : await rowsOf('lm_head.weight', kept?.lmHead ?? null);
  await attachTrainableTokens(gpu, model, ids, { rows: { shared, lmHead }, trainable: true });
  return ids;
}
