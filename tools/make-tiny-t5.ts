// Write a tiny random T5 checkpoint folder in Hugging Face layout (see src/io/tiny-t5.ts for what is in it).
//   npx tsx tools/make-tiny-t5.ts --out DIR [--d-model 64 --layers 2 --decoder-layers 2 --heads 4 --d-kv 16
//     --d-ff 128 --vocab 200 --tied|--untied --ffn gated-gelu|relu --dtype f32|f16|bf16 --seed 1 --shards N
//     --spare-rows N --omit-chars '{}']
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_T5_DEFAULTS, type TinyT5Options, makeTinyT5 } from '../src/io/tiny-t5';

const NUMERIC: Record<string, keyof TinyT5Options> = {
  '--d-model': 'dModel', '--layers': 'layers', '--decoder-layers': 'decoderLayers', '--heads': 'heads',
  '--d-kv': 'dKv', '--d-ff': 'dFf', '--vocab': 'vocab', '--seed': 'seed', '--shards': 'shards', '--spare-rows': 'spareRows',
};

function parseArgs(argv: string[]): { out: string; options: TinyT5Options } {
  const options: TinyT5Options = { ...TINY_T5_DEFAULTS };
  let out = '';
  let decoderLayersSet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--out') out = value();
    else if (flag === '--tied') options.tied = true;
    else if (flag === '--omit-chars') options.omitChars = value();
    else if (flag === '--untied') options.tied = false;
    else if (flag === '--ffn') {
      const v = value();
      if (v !== 'gated-gelu' && v !== 'relu') throw new Error(`--ffn must be gated-gelu or relu, got ${v}`);
      options.ffn = v;
    } else if (flag === '--dtype') {
      const v = value();
      if (v !== 'f32' && v !== 'f16' && v !== 'bf16') throw new Error(`--dtype must be f32, f16 or bf16, got ${v}`);
      options.dtype = v;
    } else if (flag in NUMERIC) {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} must be a non-negative integer`);
      (options[NUMERIC[flag]] as number) = v;
      if (flag === '--decoder-layers') decoderLayersSet = true;
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!out) throw new Error('--out DIR is required');
  if (!decoderLayersSet) options.decoderLayers = options.layers;
  return { out, options };
}

try {
  const { out, options } = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  let bytes = 0;
  for (const [name, data] of makeTinyT5(options)) {
    writeFileSync(join(out, name), data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
  console.log(`wrote ${out} (${(bytes / 1024).toFixed(1)} KiB): ${JSON.stringify(options)}`);
} catch (e) {
  console.error(`make-tiny-t5: ${(e as Error).message}`);
  process.exit(1);
}
