// `stepwise merge`: a PEFT LoRA adapter folded into its base model, written as a Hugging Face checkpoint folder.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Gpu } from '../gpu/gpu';
import { folderSource } from '../hosts/node/fs-source';
import { loadCheckpoint } from '../io/checkpoint';
import { importAdapter } from '../io/peft';
import { mergedCheckpointFiles } from '../io/merged-checkpoint';
import { mergedWeights } from '../model/merge';
import { loadT5 } from '../model/t5-model';

const DTYPES = ['F32', 'F16', 'BF16'] as const;

/** Returns the file names written into outDir. */
export async function mergeCommand(gpu: Gpu, modelDir: string, adapterDir: string, outDir: string, dtype = 'F32'): Promise<string[]> {
  if (!(DTYPES as readonly string[]).includes(dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(', ')}, got ${dtype}`);
  // Never overwrite a checkpoint: the base (or an earlier merge) the user still has would be lost.
  if (resolve(outDir) === resolve(modelDir) || resolve(outDir) === resolve(adapterDir)) throw new Error(`--out ${outDir} is an input folder; choose a new folder`);
  if (existsSync(join(outDir, 'model.safetensors'))) throw new Error(`${outDir} already holds a model.safetensors; choose a new folder or remove it first`);
  const source = folderSource(modelDir);
  const checkpoint = await loadCheckpoint(source);
  const model = await loadT5(gpu, checkpoint.config, (name) => checkpoint.readTensor(name), { trainBase: false });
  try {
    await importAdapter(gpu, model, folderSource(adapterDir), { trainable: false });
    const listed = new Set(await source.list());
    const tokenizerFiles = new Map<string, string>();
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) if (listed.has(f)) tokenizerFiles.set(f, await source.text(f));
    const weights = await mergedWeights(gpu, model);
    const files = mergedCheckpointFiles(model.config, weights, { tokenizerJson: checkpoint.tokenizerJson, tokenizerFiles, dtype: dtype as (typeof DTYPES)[number] });
    await mkdir(outDir, { recursive: true });
    for (const [name, data] of files) await writeFile(join(outDir, name), data);
    return [...files.keys()];
  } finally {
    model.params.free();
  }
}
