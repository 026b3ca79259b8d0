// Sweep grids: model x method x rank x alpha x seed x a, expanded into one trial per run. The paper's grid (Marsh et
// al. 2026, "Search and ablation"): ranks 32/64/128, alphas 32..512 kept where alpha:rank lies between 1:4 and 4:1, so
// rank 32 takes alphas 32-128, rank 64 takes 32-256 and rank 128 takes 32-512 (12 adapter settings per method), for
// full, LoRA and QLoRA; full fine-tuning has no rank or alpha and is one trial per model and seed.
import type { ModelSource, SourceDescription } from '../engine/api';
import type { RunConfig, TuneMethod } from '../settings/run-config';

export interface GridSpec {
  /** Each model with a short name (the results' `model` column and part of the run id). */
  models: { name: string; source: ModelSource }[];
  methods: TuneMethod[];
  ranks: number[];
  alphas: number[];
  /** Largest alpha:rank (and rank:alpha) kept; the paper's 4. Infinity keeps every pair. */
  maxRatio: number;
  seeds: number[];
  /** Loss weights a; a sweep has one (0.5), the ablation two (0.5 and 1.0). */
  mixes: number[];
  /** Settings every trial shares (lr, batch, epochs, ...); method, lora.rank/alpha, seed and a are the grid's. */
  base: Partial<RunConfig>;
}

export interface Trial {
  /** Run id and folder name: model-method-rR-alphaA-sS[-aX]. */
  id: string;
  model: string;
  source: ModelSource;
  method: TuneMethod;
  /** null for full fine-tuning. */
  rank: number | null;
  alpha: number | null;
  seed: number;
  a: number;
  /** The run's settings: base completed with the grid's values. */
  config: Partial<RunConfig>;
}

export const PAPER_RANKS = [32, 64, 128];
export const PAPER_ALPHAS = [32, 64, 128, 256, 512];
export const PAPER_MAX_RATIO = 4;
export const PAPER_METHODS: TuneMethod[] = ['full', 'lora', 'qlora'];
export const PAPER_MODELS = ['google/flan-t5-small', 'google/flan-t5-base'];
export const PAPER_SEED = 42;

/** The (rank, alpha) pairs whose ratio lies within 1:maxRatio .. maxRatio:1, rank-major, in the given order. */
export function adapterPairs(ranks: number[], alphas: number[], maxRatio: number): { rank: number; alpha: number }[] {
  const out: { rank: number; alpha: number }[] = [];
  for (const rank of ranks) {
    for (const alpha of alphas) {
      const ratio = alpha / rank;
      // A tiny slack so 4:1 stays in despite floating point.
      if (ratio <= maxRatio * (1 + 1e-9) && ratio >= 1 / maxRatio / (1 + 1e-9)) out.push({ rank, alpha });
    }
  }
  return out;
}

const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'model';

/** A short model name: a hub id's last part, a folder's last segment. */
export function modelName(source: ModelSource | SourceDescription): string {
  if (source.kind === 'hub') return slug(source.id.split('/').pop() ?? source.id);
  if (source.kind === 'folder') return slug(source.path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? source.path);
  return slug(source.label ?? 'picked');
}

function check(spec: GridSpec): void {
  const fail = (m: string): never => {
    throw new Error(`sweep grid: ${m}`);
  };
  if (spec.models.length === 0) fail('no model given');
  if (spec.methods.length === 0) fail('no method given');
  for (const m of spec.methods) if (!['full', 'lora', 'qlora'].includes(m)) fail(`method "${m}" is not one of full, lora, qlora`);
  if (spec.seeds.length === 0) fail('no seed given');
  for (const s of spec.seeds) if (!Number.isSafeInteger(s)) fail(`seed ${s} is not an integer`);
  if (spec.mixes.length === 0) fail('no loss weight a given');
  for (const a of spec.mixes) if (!(a >= 0 && a <= 1)) fail(`a = ${a} is not in [0, 1]`);
  const adapters = spec.methods.some((m) => m !== 'full');
  if (adapters) {
    if (spec.ranks.length === 0 || spec.alphas.length === 0) fail('LoRA and QLoRA need at least one rank and one alpha');
    for (const r of spec.ranks) if (!Number.isInteger(r) || r < 1) fail(`rank ${r} is not a positive integer`);
    for (const a of spec.alphas) if (!(a > 0)) fail(`alpha ${a} is not a positive number`);
    if (!(spec.maxRatio >= 1)) fail(`max ratio ${spec.maxRatio} must be >= 1`);
    if (adapterPairs(spec.ranks, spec.alphas, spec.maxRatio).length === 0) fail(`no rank/alpha pair lies within 1:${spec.maxRatio} .. ${spec.maxRatio}:1`);
  }
  const names = spec.models.map((m) => m.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) fail(`two models share the name "${twice}"`);
}

/** Every trial of the grid, model-major, then method, rank, alpha, seed, a. Ids are unique. */
export function expandGrid(spec: GridSpec): Trial[] {
  check(spec);
  const pairs = adapterPairs(spec.ranks, spec.alphas, spec.maxRatio);
  const withMix = spec.mixes.length > 1 || spec.mixes[0] !== 0.5;
  const out: Trial[] = [];
  for (const model of spec.models) {
    for (const method of spec.methods) {
      const settings = method === 'full' ? [{ rank: null, alpha: null }] : pairs;
      for (const { rank, alpha } of settings) {
        for (const seed of spec.seeds) {
          for (const a of spec.mixes) {
            const config: Partial<RunConfig> = { ...structuredClone(spec.base), method, seed, a };
            // NF4 double quantization is QLoRA's alone; the other methods of the grid leave it off.
            if (method !== 'qlora') delete config.doubleQuant;
            if (rank !== null && alpha !== null) config.lora = { ...(spec.base.lora ?? {}), rank, alpha } as RunConfig['lora'];
            const adapter = rank === null ? '' : `-r${rank}-alpha${alpha}`;
            const id = `${model.name}-${method}${adapter}-s${seed}${withMix ? `-a${a}` : ''}`;
            out.push({ id, model: model.name, source: model.source, method, rank, alpha, seed, a, config });
          }
        }
      }
    }
  }
  return out;
}

/** The paper's grid on the given models (default flan-t5-small and -base from the hub). */
export function paperGrid(models?: GridSpec['models'], base: Partial<RunConfig> = {}): GridSpec {
  const ms = models ?? PAPER_MODELS.map((id) => ({ name: modelName({ kind: 'hub', id }), source: { kind: 'hub' as const, id } }));
  return { models: ms, methods: [...PAPER_METHODS], ranks: [...PAPER_RANKS], alphas: [...PAPER_ALPHAS], maxRatio: PAPER_MAX_RATIO, seeds: [PAPER_SEED], mixes: [0.5], base };
}

/** The ablation: a = 0.5 (Distilling Step-by-Step) vs a = 1.0 (label only) for each model x method x seed. */
export function ablationGrid(models: GridSpec['models'], methods: TuneMethod[], seeds: number[] = [1, 2], mixes: number[] = [0.5, 1.0], base: Partial<RunConfig> = {}): GridSpec {
  const rank = base.lora?.rank ?? 128;
  const alpha = base.lora?.alpha ?? 512;
  return { models, methods, ranks: [rank], alphas: [alpha], maxRatio: Infinity, seeds, mixes, base };
}
