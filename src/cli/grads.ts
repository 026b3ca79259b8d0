// `stepwise grads`: one DSS forward/backward with dropout off, written as JSON for cross-framework checks
// against PyTorch (tools/t5_reference.py grads takes the same arguments and writes the same shape). With an
// adapter the base is frozen (NF4 with --nf4, as QLoRA) and the gradients are the adapter's, keyed by PEFT names
// (base_model.model.<module>.lora_A.weight); tools/lora_reference.py grads --adapter DIR [--nf4] is its twin.
import { readFile, writeFile } from 'node:fs/promises';
import type { Gpu } from '../gpu/gpu';
import { folderSource } from '../hosts/node/fs-source';
import { loadCheckpoint } from '../io/checkpoint';
import { importAdapter } from '../io/peft';
import { parseDssBatch, type DssBatch } from '../model/batch';
import { DssStep } from '../model/dss-step';
import { qloraLoadOptions } from '../model/qlora';
import { mixLosses, taskWeights } from '../train/mix';
import { loadT5 } from '../model/t5-model';
import { T5Runner } from '../model/t5-runner';

export interface GradSummary {
  shape: number[];
  norm: number;
  sum: number;
  first: number[];
}

export interface GradsReport {
  loss_label: number;
  loss_rationale: number | null;
  loss_total: number;
  grads: Record<string, GradSummary>;
}

export function summarize(shape: readonly number[], values: Float32Array): GradSummary {
  let sq = 0;
  let s = 0;
  for (const v of values) {
    sq += v * v;
    s += v;
  }
  return { shape: [...shape], norm: Math.sqrt(sq), sum: s, first: Array.from(values.subarray(0, 8)) };
}

/** The capacity a batch needs: its own shape (both tasks). */
export function batchCapacity(batch: DssBatch): { B: number; Tin: number; Tout: number } {
  const tasks = [batch.label, ...(batch.rationale ? [batch.rationale] : [])];
  return {
    B: Math.max(...tasks.map((t) => t.input_ids.length)),
    Tin: Math.max(...tasks.map((t) => t.input_ids[0]?.length ?? 0)),
    Tout: Math.max(...tasks.map((t) => t.labels[0]?.length ?? 0)),
  };
}

export interface GradsOptions {
  /** A PEFT LoRA adapter folder: train it on a frozen base instead of the whole model. */
  adapter?: string;
  /** Quantize the frozen base to NF4 as QLoRA does (needs adapter). */
  nf4?: boolean;
  /** With nf4: double-quantize absmax. */
  doubleQuant?: boolean;
}

export async function gradsCommand(gpu: Gpu, modelDir: string, batchPath: string, o: GradsOptions = {}): Promise<GradsReport> {
  if (o.nf4 && !o.adapter) throw new Error('--nf4 needs --adapter: QLoRA trains an adapter on the NF4 base');
  if (o.doubleQuant && !o.nf4) throw new Error('--double-quant needs --nf4');
  const checkpoint = await loadCheckpoint(folderSource(modelDir));
  const batch = parseDssBatch(JSON.parse(await readFile(batchPath, 'utf8')), batchPath);
  const quant = o.nf4 ? qloraLoadOptions({ doubleQuant: !!o.doubleQuant }) : {};
  // NF4 products stay f32 here (the model's default): this command is compared against float PyTorch.
  const model = await loadT5(gpu, checkpoint.config, (name) => checkpoint.readTensor(name), { trainBase: !o.adapter, ...quant });
  if (o.adapter) {
    try {
      await importAdapter(gpu, model, folderSource(o.adapter), { trainable: true });
    } catch (e) {
      model.params.free();
      throw e;
    }
  }
  let runner: T5Runner | null = null;
  let step: DssStep | null = null;
  try {
    runner = new T5Runner(gpu, model.dims, model.params, batchCapacity(batch));
    step = new DssStep(gpu, model, runner);
    // BATCH.json carries the mix a ("alpha") this one-off step is scored with; a training run takes it from RunConfig.
    const losses = mixLosses(batch.alpha, await step.run(batch, { train: false, backward: true, seed: 0, weights: taskWeights(batch.alpha) }));
    const grads: Record<string, GradSummary> = {};
    for (const p of model.params.trainable()) grads[p.name] = summarize(p.shape, await gpu.readF32(p.grad!));
    return { loss_label: losses.label, loss_rationale: losses.rationale, loss_total: losses.total, grads };
  } finally {
    step?.free();
    runner?.free();
    model.params.free();
  }
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 1) + '\n');
}
