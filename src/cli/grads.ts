// `stepwise grads`: one DSS forward/backward with dropout off, written as JSON for cross-framework checks
// against PyTorch (tools/t5_reference.py grads takes the same arguments and writes the same shape). With an
// adapter the base is frozen (NF4 with --nf4, as QLoRA) and the gradients are the adapter's, keyed by PEFT names
// (base_model.model.<module>.lora_A.weight); tools/lora_reference.py grads --adapter DIR [--nf4] is its twin.
// The work is the engine's (engine.gradients, src/engine/adapter-tools.ts); this file reads and writes files.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Gpu } from '../gpu/gpu';
import { createNodeEngine } from '../hosts/node/engine';
import type { GradsReport } from '../engine/adapter-tools';
import { readAdapterFolder } from './eval';

export { summarize, type GradSummary, type GradsReport } from '../engine/adapter-tools';

export interface GradsOptions {
  /** A PEFT LoRA adapter folder: train it on a frozen base instead of the whole model. */
  adapter?: string;
  /** Quantize the frozen base to NF4 as QLoRA does (needs adapter). */
  nf4?: boolean;
  /** With nf4: double-quantize absmax. */
  doubleQuant?: boolean;
}

export async function gradsCommand(gpu: Gpu, modelDir: string, batchPath: string, o: GradsOptions = {}): Promise<GradsReport> {
  const batch = JSON.parse(await readFile(batchPath, 'utf8')) as unknown;
  const adapter = o.adapter ? await readAdapterFolder(o.adapter) : undefined;
  return createNodeEngine(gpu).gradients({ model: { kind: 'folder', path: resolve(modelDir) }, batch, batchLabel: batchPath, adapter, nf4: o.nf4, doubleQuant: o.doubleQuant });
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 1) + '\n');
}
