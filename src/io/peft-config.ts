// adapter_config.json of a Hugging Face PEFT LoRA adapter: what Stepwise writes and what it accepts.
// Fields follow peft.LoraConfig; what PEFT would apply but Stepwise cannot (DoRA, trained biases, modules_to_save,
// fan_in_fan_out) is refused by name rather than silently dropped.
import { loraTargetModules, type LoraStack } from '../model/lora';
import type { LoraAdapter } from '../model/parameters';
import type { T5Model } from '../model/t5-model';
import { quoteValue } from '../common/quote-value';

/**
 * PEFT's trainable_token_indices: a list targets the input embedding (T5: "shared"; with tied weights PEFT ties
 * lm_head to it), a dict names the modules. Stepwise writes the list for tied models and
 * {"shared": ids, "lm_head": ids} for untied ones (FLAN-T5), whose lm_head rows are a separate matrix.
 */
export type TrainableTokenIndices = number[] | Record<string, number[]>;

export interface PeftLoraConfig {
  peft_type: 'LORA';
  task_type: 'SEQ_2_SEQ_LM';
  base_model_name_or_path: string;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** A list (suffix match) or a regex string (re.fullmatch on the module path). */
  target_modules: string[] | string;
  use_rslora: boolean;
  bias: 'none';
  fan_in_fan_out: false;
  inference_mode: boolean;
  /** Per-module rank / alpha where they differ from r / lora_alpha (keys match like PEFT: "(.*\.)?key$"). */
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  /** Present when token rows train with the adapter. */
  trainable_token_indices?: TrainableTokenIndices;
  [extra: string]: unknown;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * target_modules that select exactly the model's adapted modules: PEFT's list form when the adapters cover every
 * matching module of both stacks, a regex over one stack when only one is adapted, else an alternation of paths.
 */
export function targetModulesFor(model: T5Model, adapters: LoraAdapter[]): string[] | string {
  const paths = adapters.map((a) => a.path);
  const names = [...new Set(paths.map((p) => p.slice(p.lastIndexOf('.') + 1)))].sort();
  const same = (stacks: LoraStack[]) => {
    const picked = loraTargetModules(model.config, names, stacks).map((m) => m.path);
    return picked.length === paths.length && picked.every((p) => paths.includes(p));
  };
  if (same(['encoder', 'decoder'])) return names;
  for (const stack of ['encoder', 'decoder'] as const) {
    if (paths.every((p) => p.startsWith(`${stack}.`)) && same([stack])) return `${stack}\\..*\\.(${names.join('|')})`;
  }
  return `(${paths.map(escapeRegex).join('|')})`;
}

/** The adapter_config.json for the model's adapters. */
export function peftConfigFor(model: T5Model, baseModel: string): PeftLoraConfig {
  const adapters = [...model.params.adapters.values()];
  if (adapters.length === 0) throw new Error('the model has no LoRA adapters to export');
  const rslora = adapters[0].rslora;
  if (adapters.some((a) => a.rslora !== rslora)) throw new Error('adapters mix rsLoRA and plain scaling; PEFT has one use_rslora per adapter');
  const r = mostCommon(adapters.map((a) => a.r));
  const alpha = mostCommon(adapters.map((a) => a.alpha));
  const rank_pattern: Record<string, number> = {};
  const alpha_pattern: Record<string, number> = {};
  for (const a of adapters) {
    if (a.r !== r) rank_pattern[a.path] = a.r;
    if (a.alpha !== alpha) alpha_pattern[a.path] = a.alpha;
  }
  const tokens = model.params.tokens;
  const indices = tokens ? [...tokens.ids] : null;
  return {
    peft_type: 'LORA',
    task_type: 'SEQ_2_SEQ_LM',
    base_model_name_or_path: baseModel,
    r,
    lora_alpha: alpha,
    lora_dropout: adapters[0].dropout,
    target_modules: targetModulesFor(model, adapters),
    use_rslora: rslora,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    rank_pattern,
    alpha_pattern,
    ...(indices ? { trainable_token_indices: tokens!.lmHead ? { shared: indices, lm_head: indices } : indices } : {}),
  };
}

/** PEFT's get_pattern_key: the first key with re.match("(.*\.)?" + key + "$", path). */
export function patternValue(pattern: Record<string, number> | undefined, path: string, fallback: number): number {
  for (const [key, value] of Object.entries(pattern ?? {})) {
    if (new RegExp(`^(.*\\.)?${key}$`).test(path)) return value;
  }
  return fallback;
}

export interface ParsedPeftConfig {
  r: number;
  alpha: number;
  dropout: number;
  rslora: boolean;
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  /** Token rows that train with the adapter: the embedding's, and lm_head's when given separately (untied). */
  tokenIndices: { shared: number[]; lmHead: number[] | null } | null;
  baseModel: string | null;
  raw: Record<string, unknown>;
}

/** Read adapter_config.json, refusing what Stepwise would get wrong. */
export function parsePeftConfig(text: string, file: string): ParsedPeftConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: expected a JSON object`);
  const c = json as Record<string, unknown>;
  const num = (k: string, fallback?: number) => {
    const v = c[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: "${k}" must be a number, got ${quoteValue(c[k])}`);
    return v;
  };
  if (c.peft_type !== 'LORA') throw new Error(`${file}: peft_type is ${quoteValue(c.peft_type)}; Stepwise imports LORA adapters only`);
  if (c.task_type !== undefined && c.task_type !== null && c.task_type !== 'SEQ_2_SEQ_LM') {
    throw new Error(`${file}: task_type is ${quoteValue(c.task_type)}; a T5 adapter is SEQ_2_SEQ_LM`);
  }
  if (c.bias !== undefined && c.bias !== 'none') throw new Error(`${file}: bias is ${quoteValue(c.bias)}; only "none" is supported (trained biases would be lost)`);
  if (c.use_dora === true) throw new Error(`${file}: use_dora is true; DoRA adapters are not supported`);
  if (c.fan_in_fan_out === true) throw new Error(`${file}: fan_in_fan_out is true; T5's Linear layers store (out, in), expected false`);
  const mts = c.modules_to_save;
  if (Array.isArray(mts) && mts.length > 0) throw new Error(`${file}: modules_to_save ${quoteValue(mts)} is not supported`);
  if (c.use_rslora !== undefined && c.use_rslora !== null && typeof c.use_rslora !== 'boolean') throw new Error(`${file}: "use_rslora" must be true or false, got ${quoteValue(c.use_rslora)}`);
  const r = num('r');
  if (!Number.isInteger(r) || r < 1) throw new Error(`${file}: r must be a positive integer, got ${r}`);
  const patterns = (k: string) => {
    const v = c[k] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'number')) {
      throw new Error(`${file}: "${k}" must map module names to numbers`);
    }
    return v as Record<string, number>;
  };
  return {
    r,
    alpha: num('lora_alpha', 8),
    dropout: num('lora_dropout', 0),
    rslora: c.use_rslora === true,
    rankPattern: patterns('rank_pattern'),
    alphaPattern: patterns('alpha_pattern'),
    tokenIndices: parseTokenIndices(c.trainable_token_indices, file),
    baseModel: typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null,
    raw: c,
  };
}

const EMBEDDING_NAMES = ['shared', 'embed_tokens', 'encoder.embed_tokens', 'decoder.embed_tokens'];

/**
 * trainable_token_indices as Stepwise applies it: one set of ids for T5's one embedding matrix (a list, or a dict
 * key naming it) and optionally the same ids for lm_head. Other modules, or different ids for the encoder and
 * decoder (which share T5's embedding), are refused by name.
 */
export function parseTokenIndices(v: unknown, file: string): ParsedPeftConfig['tokenIndices'] {
  if (v === undefined || v === null) return null;
  const ids = (x: unknown, where: string): number[] => {
    if (!Array.isArray(x) || x.length === 0 || x.some((i) => !Number.isInteger(i) || i < 0)) {
      throw new Error(`${file}: ${where} must be a non-empty list of token ids, got ${quoteValue(x)}`);
    }
    return [...new Set(x as number[])].sort((a, b) => a - b);
  };
  if (Array.isArray(v)) return { shared: ids(v, 'trainable_token_indices'), lmHead: null };
  if (typeof v !== 'object') throw new Error(`${file}: trainable_token_indices must be a list of ids or a dict of module name -> ids`);
  let shared: number[] | null = null;
  let lmHead: number[] | null = null;
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const list = ids(value, `trainable_token_indices["${key}"]`);
    if (key === 'lm_head') lmHead = list;
    else if (EMBEDDING_NAMES.includes(key)) {
      if (shared && shared.join() !== list.join()) throw new Error(`${file}: trainable_token_indices gives T5's one embedding two id lists (${key}); Stepwise trains one set of rows`);
      shared = list;
    } else throw new Error(`${file}: trainable_token_indices["${key}"]: Stepwise trains token rows of the embedding ("shared") and "lm_head" only`);
  }
  if (!shared) throw new Error(`${file}: trainable_token_indices names lm_head but not the embedding ("shared"); Stepwise trains both or the embedding alone`);
  if (lmHead && lmHead.join() !== shared.join()) throw new Error(`${file}: trainable_token_indices has different ids for lm_head (${lmHead.join(', ')}) and the embedding (${shared.join(', ')})`);
  return { shared, lmHead };
}
