// `stepwise export-adapter`: a LoRA/QLoRA run's adapter (latest or best checkpoint) as a PEFT folder, through the
// engine's exportRunAdapter: adapter_config.json, adapter_model.safetensors, README.md and the run's tokenizer.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createNodeEngine } from '../hosts/node/engine';
import { createNodeGpu } from '../hosts/node/gpu';

export const EXPORT_USAGE = `  export-adapter --run RUN_DIR [--checkpoint best|latest] --out DIR
      the run's PEFT adapter (default: best checkpoint) with its tokenizer, as Hugging Face PEFT loads it`;

export async function exportAdapterCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { run: { type: 'string' }, checkpoint: { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: false });
  if (!values.run || !values.out) throw new Error(`export-adapter needs --${values.run ? 'out' : 'run'}`);
  const checkpoint = (values.checkpoint ?? 'best') as 'best' | 'latest';
  if (!['best', 'latest'].includes(checkpoint)) throw new Error(`--checkpoint must be best or latest, got "${checkpoint}"`);
  const dir = resolve(values.run);
  if (!existsSync(join(dir, 'run.json'))) throw new Error(`${values.run} is not a run folder (no run.json)`);
  if (existsSync(join(values.out, 'adapter_model.safetensors'))) throw new Error(`${values.out} already holds an adapter; choose a new folder or remove it first`);
  const gpu = await createNodeGpu();
  try {
    const engine = createNodeEngine(gpu, { runsDir: dirname(dir) });
    const files = await engine.exportRunAdapter(basename(dir), checkpoint);
    await mkdir(values.out, { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(values.out, name), data);
    process.stderr.write(`wrote ${Object.keys(files).sort().join(', ')} (${checkpoint} checkpoint) -> ${values.out}\n`);
    return 0;
  } finally {
    gpu.destroy();
  }
}
