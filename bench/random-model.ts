// What the model and methods benchmarks share: the model shapes they run, HF-initialised random weights read one
// tensor at a time (the whole f32 model is never on the host), and random full-length DSS batches.
import { hashString } from '../src/common/random';
import { initStd, seededNormal } from '../src/io/tiny-t5';
import type { DssBatch, TaskBatch } from '../src/model/batch';
import type { T5Config } from '../src/model/config';
import { T5_PRESETS } from '../src/settings/models';
import { t5ParameterSpecs } from '../src/model/hf-names';
import type { WeightReader } from '../src/model/t5-model';

export const BENCH_MODELS: Record<string, T5Config> = {
  tiny: { ...T5_PRESETS['google/flan-t5-small'], vocab_size: 512, d_model: 64, d_kv: 16, d_ff: 128, num_layers: 2, num_decoder_layers: 2, num_heads: 4 },
  small: T5_PRESETS['google/flan-t5-small'],
  base: T5_PRESETS['google/flan-t5-base'],
};

export function benchModel(name: string): T5Config {
  const config = BENCH_MODELS[name];
  if (!config) throw new Error(`unknown model "${name}" (${Object.keys(BENCH_MODELS).join(', ')})`);
  return config;
}

export function randomReader(config: T5Config): WeightReader {
  const specs = new Map(t5ParameterSpecs(config).map((s) => [s.name, s]));
  return async (name, shape) => {
    const spec = specs.get(name)!;
    const n = shape.reduce((a, b) => a * b, 1);
    const std = initStd(spec, config);
    const out = new Float32Array(n);
    if (std === 0) return out.fill(1);
    const normal = seededNormal(hashString(name, 1));
    for (let i = 0; i < n; i++) out[i] = normal() * std;
    return out;
  };
}

function randomTask(B: number, Tin: number, Tout: number, V: number, seed: number): TaskBatch {
  let s = seed;
  const next = () => 3 + ((s = (s * 1103515245 + 12345) >>> 0) % (V - 3));
  const rows = (T: number) => Array.from({ length: B }, () => Array.from({ length: T }, next));
  return { input_ids: rows(Tin), attention_mask: rows(Tin).map((r) => r.map(() => 1)), labels: rows(Tout) };
}

/** A DSS batch (a = 0.5) with every position a real token. */
export function randomDssBatch(B: number, Tin: number, Tout: number, V: number): DssBatch {
  return { label: randomTask(B, Tin, Tout, V, 1), rationale: randomTask(B, Tin, Tout, V, 2) };
}
