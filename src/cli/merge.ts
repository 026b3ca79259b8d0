// `stepwise merge`: a PEFT LoRA adapter folded into its base model, written as a Hugging Face checkpoint folder.
// The fold is the engine's (engine.mergeAdapter, src/engine/adapter-tools.ts); this file checks the folders. The
// files stream to disk as they are made (one weight at a time), and a failed merge leaves none behind.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MergeProgress } from '../engine/api';
import type { Gpu } from '../gpu/gpu';
import { createNodeEngine } from '../hosts/node/engine';
import { readAdapterFolder } from './eval';
import { folderSink } from './folder-sink';

const DTYPES = ['F32', 'F16', 'BF16'] as const;

/** Returns the file names written into outDir. */
export async function mergeCommand(gpu: Gpu, modelDir: string, adapterDir: string, outDir: string, dtype = 'F32'): Promise<string[]> {
  if (!(DTYPES as readonly string[]).includes(dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got ${dtype}`);
  // Never overwrite a checkpoint: the base (or an earlier merge) the user still has would be lost.
  if (resolve(outDir) === resolve(modelDir) || resolve(outDir) === resolve(adapterDir)) throw new Error(`--out ${outDir} is an input folder; choose a new folder`);
  if (existsSync(join(outDir, 'model.safetensors'))) throw new Error(`${outDir} already holds a model.safetensors; choose a new folder or remove it first`);
  const adapter = await readAdapterFolder(adapterDir);
  await mkdir(outDir, { recursive: true });
  const out = folderSink(outDir);
  try {
    // On a terminal, one line that follows the bytes written (flan-t5-base merges to about a gigabyte).
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const show = process.stderr.isTTY ? (p: MergeProgress) => process.stderr.write(`\rmerge: writing ${p.file}, ${mb(p.done)} of ${mb(p.total)} MB\x1b[K`) : undefined;
    const summary = await createNodeEngine(gpu).mergeAdapter({ model: { kind: 'folder', path: resolve(modelDir) }, adapter, dtype: dtype as (typeof DTYPES)[number] }, out.sink, show);
    if (show) process.stderr.write('\n');
    await out.close();
    return summary.files.map((f) => f.name);
  } catch (e) {
    await out.discard();
    throw e;
  }
}
