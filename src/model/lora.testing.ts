// Test-only helpers for LoRA/QLoRA tests: a tiny model with or without NF4, a runner sized for the golden batches,
// and the label logits of a batch.
import { folderSource } from '../hosts/node/fs-source';
import { readFileSync } from 'node:fs';
import { memorySource } from '../io/byte-source';
import { readSafetensorsHeader, readTensorBytes } from '../io/safetensors';
import { FIXTURES, readJson, tinyCheckpoint } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { parseDssBatch, type DssBatch, type DssBatchFile } from './batch';
import { DssStep } from './dss-step';
import { qloraLoadOptions, type QloraOptions } from './qlora';
import { loadT5, type T5Model } from './t5-model';
import { T5Runner } from './t5-runner';

export const GOLDEN_LORA = `${FIXTURES}golden-lora/`;

/** Golden case -> the tiny checkpoint it adapts. */
export const LORA_CASES = { 'untied-gated-all': 'untied-gated', 'tied-relu-qv': 'tied-relu' } as const;
export type LoraCase = keyof typeof LORA_CASES;

export interface LossesJson {
  loss_label: number;
  loss_rationale: number;
  loss_total: number;
}

export interface LoraExpected extends LossesJson {
  logits_label: { shape: number[]; values: number[] };
  qlora: LossesJson & { logits_label: { shape: number[]; values: number[] } };
  qlora_double_quant: LossesJson;
  nf4_weights: string[];
}

export const CAPACITY = { B: 2, Tin: 6, Tout: 7 };

/** A frozen tiny model (trainBase false), NF4 when qlora is given. */
export async function tinyModel(checkpoint: string, qlora?: Partial<QloraOptions>): Promise<T5Model> {
  const gpu = await testGpu();
  const { config, weights } = await tinyCheckpoint(checkpoint);
  return loadT5(gpu, config, async (n) => weights.get(n)!, { trainBase: false, ...(qlora ? qloraLoadOptions(qlora) : {}) });
}

export function goldenAdapterSource(name: LoraCase) {
  return folderSource(`${GOLDEN_LORA}${name}/adapter`);
}

export function goldenBatch(name: LoraCase): DssBatchFile {
  const path = `${GOLDEN_LORA}${name}/batch.json`;
  return parseDssBatch(readJson(path), path);
}

export function goldenExpected(name: LoraCase): LoraExpected {
  return readJson<LoraExpected>(`${GOLDEN_LORA}${name}/expected.json`);
}

export interface Harness {
  model: T5Model;
  runner: T5Runner;
  step: DssStep;
  free(): void;
}

export async function harness(model: T5Model): Promise<Harness> {
  const gpu = await testGpu();
  const runner = new T5Runner(gpu, model.dims, model.params, CAPACITY);
  const step = new DssStep(gpu, model, runner);
  return {
    model, runner, step,
    free() {
      step.free();
      runner.free();
      model.params.free();
    },
  };
}

/** Label-task logits (B*Tout*V) of a batch, dropout off. */
export async function labelLogits(h: Harness, batch: DssBatch): Promise<Float32Array> {
  const gpu = await testGpu();
  await h.step.run({ label: batch.label }, { train: false, backward: false, seed: 0, weights: { label: 1, rationale: 0 } });
  const B = batch.label.input_ids.length;
  const T = batch.label.labels[0].length;
  const all = await gpu.readF32(h.runner.records.tensor('logits', () => 0));
  return all.slice(0, B * T * h.model.dims.V);
}

export function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

/** Every tensor of a safetensors file as its raw bytes (U8 codes, F32 absmax compared bit for bit). */
export async function rawSafetensors(path: string): Promise<Map<string, Uint8Array>> {
  const source = memorySource(new Uint8Array(readFileSync(path)), path);
  const header = await readSafetensorsHeader(source, path);
  const out = new Map<string, Uint8Array>();
  for (const name of header.tensors.keys()) out.set(name, await readTensorBytes(source, header, name));
  return out;
}
