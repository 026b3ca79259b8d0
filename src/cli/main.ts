// The Stepwise engine from the command line: `npm run cli -- <command> [options]`.
import { parseArgs } from 'node:util';
import { createNodeGpu } from '../hosts/node/gpu';
import { gradsCommand, writeJson } from './grads';
import { mergeCommand } from './merge';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  grads --model DIR --batch BATCH.json --out OUT.json [--adapter ADAPTER_DIR [--nf4 [--double-quant]]]
      one DSS forward/backward (dropout off); writes losses and a summary of every gradient
      (shape, norm, sum, first 8 values) keyed by Hugging Face parameter name. With --adapter (a PEFT LoRA
      folder) the base is frozen and the gradients are the adapter's, keyed by PEFT names; --nf4 stores the
      frozen base as NF4 as QLoRA does.
  merge --model DIR --adapter ADAPTER_DIR --out DIR [--dtype F32|F16|BF16]
      fold the adapter into the base (W + scaling * B A) and write a Hugging Face checkpoint folder`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'grads') {
    const { values } = parseArgs({
      args: rest,
      options: {
        model: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' }, adapter: { type: 'string' },
        nf4: { type: 'boolean' }, 'double-quant': { type: 'boolean' },
      },
      strict: true,
    });
    for (const k of ['model', 'batch', 'out'] as const) if (!values[k]) throw new Error(`grads needs --${k}\n\n${USAGE}`);
    const gpu = await createNodeGpu({ strict: true });
    console.error(`GPU adapter: ${gpu.info.description}`);
    const report = await gradsCommand(gpu, values.model!, values.batch!, { adapter: values.adapter, nf4: values.nf4, doubleQuant: values['double-quant'] });
    await writeJson(values.out!, report);
    console.error(`loss_total ${report.loss_total} -> ${values.out}`);
    gpu.destroy();
    return 0;
  }
  if (command === 'merge') {
    const { values } = parseArgs({
      args: rest,
      options: { model: { type: 'string' }, adapter: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' } },
      strict: true,
    });
    for (const k of ['model', 'adapter', 'out'] as const) if (!values[k]) throw new Error(`merge needs --${k}\n\n${USAGE}`);
    const gpu = await createNodeGpu({ strict: true });
    const written = await mergeCommand(gpu, values.model!, values.adapter!, values.out!, values.dtype);
    console.error(`wrote ${written.join(', ')} -> ${values.out}`);
    gpu.destroy();
    return 0;
  }
  throw new Error(`unknown command "${command}"\n\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
