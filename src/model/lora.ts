// LoRA adapters on a loaded T5 (PEFT semantics, see /work/shared/T5-FACTS.md): which linear modules get one,
// how A and B are initialised, and the scaling. The maths of the adapted linear lives in linear-module.ts:
//   y = x W^T + scaling * (dropout(x) A^T) B^T,   A (r, in), B (out, r)
// Legend: r rank, in/out the base Linear's in_features/out_features.
import { hashString, seededRandom } from '../common/random';
import { LORA_PRESETS, type LoraPreset } from '../settings/presets';
import { DEFAULT_LORA_RANK } from '../settings/run-config';
import type { Gpu } from '../gpu/gpu';
import type { T5Config } from './config';
import { t5ParameterSpecs, type T5Stack } from './hf-names';
import { denseParam, type DenseParam, type LoraAdapter } from './parameters';
import type { T5Model } from './t5-model';
import { detachTrainableTokens } from './trainable-tokens';

export type LoraStack = T5Stack;

export interface LoraOptions {
  /** A preset name or PEFT target_modules (a module matches t when its path == t or ends with "." + t). */
  targets: LoraPreset | readonly string[];
  /** Which stacks get adapters. */
  stacks: readonly LoraStack[];
  /** Rank r. */
  r: number;
  /** lora_alpha; scaling = alpha / r (alpha / sqrt(r) with rsLoRA). */
  alpha: number;
  /** lora_dropout on the adapter's input (training only). */
  dropout: number;
  /** rsLoRA scaling alpha / sqrt(r). */
  rslora: boolean;
  /** Seed of A's Kaiming-uniform initialisation. */
  seed: number;
}

/** A new run's defaults, from the paper: all linear layers, r 128, alpha 512 (4:1), dropout 0.05. */
export const LORA_DEFAULTS: LoraOptions = {
  targets: 'all-linear',
  stacks: ['encoder', 'decoder'],
  r: DEFAULT_LORA_RANK,
  alpha: 512,
  dropout: 0.05,
  rslora: false,
  seed: 0,
};

/** PEFT's list matching: the module path equals the target or ends with "." + target. */
export function matchesTarget(path: string, target: string): boolean {
  return path === target || path.endsWith(`.${target}`);
}

export function targetList(targets: LoraOptions['targets']): readonly string[] {
  if (typeof targets === 'string') {
    const preset = LORA_PRESETS[targets as LoraPreset];
    if (!preset) throw new Error(`unknown LoRA preset "${targets}" (presets: ${Object.keys(LORA_PRESETS).join(', ')})`);
    return preset;
  }
  return targets;
}

export interface LinearModule {
  /** HF module path without ".weight", e.g. encoder.block.0.layer.0.SelfAttention.q */
  path: string;
  /** in_features, out_features of the nn.Linear. */
  in: number;
  out: number;
}

/** Every LoRA-able linear of the blocks (lm_head excluded, as PEFT's "all-linear" excludes the output layer). */
export function linearModules(config: T5Config): LinearModule[] {
  return t5ParameterSpecs(config)
    .filter((s) => s.kind === 'linear')
    .map((s) => ({ path: s.name.slice(0, -'.weight'.length), out: s.shape[0], in: s.shape[1] }));
}

/** The modules a LoRA configuration adapts, in HF parameter order. */
export function loraTargetModules(config: T5Config, targets: LoraOptions['targets'], stacks: readonly LoraStack[]): LinearModule[] {
  const list = targetList(targets);
  if (list.length === 0) throw new Error('LoRA targets are empty: name at least one module (e.g. "q", "v")');
  for (const s of stacks) if (s !== 'encoder' && s !== 'decoder') throw new Error(`LoRA stack "${s}" is neither "encoder" nor "decoder"`);
  const modules = linearModules(config);
  const picked = modules.filter((m) => stacks.some((s) => m.path.startsWith(`${s}.`)) && list.some((t) => matchesTarget(m.path, t)));
  if (picked.length === 0) throw new Error(`LoRA targets [${list.join(', ')}] match no linear module of the ${stacks.join(' and ')} (modules are named like ${modules[0]?.path})`);
  return picked;
}

export function loraScaling(alpha: number, r: number, rslora: boolean): number {
  return rslora ? alpha / Math.sqrt(r) : alpha / r;
}

/** PEFT saves without the adapter name: base_model.model.<path>.lora_A.weight / .lora_B.weight. */
export function peftKey(path: string, which: 'A' | 'B'): string {
  return `base_model.model.${path}.lora_${which}.weight`;
}

/**
 * A (r, in) as torch.nn.init.kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)), bound gain * sqrt(3 / in)
 * = 1 / sqrt(in), drawn from a seeded PRNG (the values differ from torch's; the distribution is the same).
 */
export function kaimingUniformA(r: number, inFeatures: number, random: () => number): Float32Array {
  const bound = 1 / Math.sqrt(inFeatures);
  const out = new Float32Array(r * inFeatures);
  for (let i = 0; i < out.length; i++) out[i] = (2 * random() - 1) * bound;
  return out;
}

function checkOptions(o: LoraOptions): void {
  if (!Number.isInteger(o.r) || o.r < 1) throw new Error(`LoRA rank r must be a positive integer, got ${o.r}`);
  if (!Number.isFinite(o.alpha) || o.alpha <= 0) throw new Error(`lora_alpha must be a positive number, got ${o.alpha}`);
  if (!(o.dropout >= 0 && o.dropout < 1)) throw new Error(`lora_dropout must be in [0, 1), got ${o.dropout}`);
}

export interface AdapterInit {
  r: number;
  alpha: number;
  /** rsLoRA: scaling alpha / sqrt(r) instead of alpha / r. */
  rslora: boolean;
  dropout: number;
  /** (r, in) */
  A: Float32Array;
  /** (out, r) */
  B: Float32Array;
  /** Allocate gradients (training); false for inference. */
  trainable: boolean;
}

/** Add one adapter to a module of the model (shapes checked against the base weight). */
export function addAdapter(gpu: Gpu, model: T5Model, path: string, init: AdapterInit): LoraAdapter {
  const params = model.params;
  if (params.adapters.has(path)) throw new Error(`${path} already has a LoRA adapter`);
  const base = params.get(`${path}.weight`);
  if (base.kind !== 'linear') throw new Error(`${path} is a ${base.kind}, not a linear module LoRA can adapt`);
  const [out, inp] = base.shape;
  const { r } = init;
  if (init.A.length !== r * inp) throw new Error(`${peftKey(path, 'A')}: expected shape [${r}, ${inp}] (${r * inp} values), got ${init.A.length}`);
  if (init.B.length !== out * r) throw new Error(`${peftKey(path, 'B')}: expected shape [${out}, ${r}] (${out * r} values), got ${init.B.length}`);
  const make = (which: 'A' | 'B', shape: number[], data: Float32Array): DenseParam => {
    const name = peftKey(path, which);
    const p = denseParam(name, shape, 'lora', gpu.upload(data, [data.length], 'f32', 'weights', name), true);
    if (init.trainable) params.enableGrad(p);
    return p;
  };
  const adapter: LoraAdapter = {
    path, r, alpha: init.alpha, scaling: loraScaling(init.alpha, r, init.rslora), rslora: init.rslora, dropout: init.dropout,
    A: make('A', [r, inp], init.A), B: make('B', [out, r], init.B),
  };
  params.adapters.set(path, adapter);
  return adapter;
}

/** As PEFT's get_peft_model: every base parameter stops training (their gradients are released). */
export function freezeBase(gpu: Gpu, model: T5Model): void {
  for (const p of model.params.params.values()) {
    if (p.grad) gpu.free(p.grad);
    p.grad = null;
  }
}

/**
 * Attach fresh adapters: A Kaiming-uniform from a PRNG seeded by (seed, module path), B zeros, so the untrained
 * adapter is a no-op. Freezes the base. Returns the adapters in HF parameter order.
 */
export function attachLora(gpu: Gpu, model: T5Model, options: Partial<LoraOptions> = {}): LoraAdapter[] {
  const o = { ...LORA_DEFAULTS, ...options };
  checkOptions(o);
  const modules = loraTargetModules(model.config, o.targets, o.stacks);
  freezeBase(gpu, model);
  return modules.map((m) => {
    const random = seededRandom(hashString(m.path, o.seed));
    return addAdapter(gpu, model, m.path, {
      r: o.r, alpha: o.alpha, rslora: o.rslora, dropout: o.dropout, trainable: true,
      A: kaimingUniformA(o.r, m.in, random), B: new Float32Array(m.out * o.r),
    });
  });
}

/** Remove and free every adapter and any trainable token rows (the base stays, its token rows restored). */
export function detachLora(gpu: Gpu, model: T5Model): void {
  detachTrainableTokens(gpu, model.params);
  for (const a of model.params.adapters.values()) {
    for (const p of [a.A, a.B]) {
      gpu.free(p.value, p.grad);
      p.grad = null;
    }
  }
  model.params.adapters.clear();
}

/** Elements held by the adapters: r * (in + out) each. */
export function adapterElements(model: T5Model): number {
  let n = 0;
  for (const a of model.params.adapters.values()) n += a.r * (a.A.shape[1] + a.B.shape[0]);
  return n;
}
