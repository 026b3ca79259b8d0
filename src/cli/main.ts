// The Stepwise engine from the command line: `npm run cli -- <command> [options]`.
import { parseArgs } from 'node:util';
import { createNodeGpu } from '../hosts/node/gpu';
import { gradsCommand, writeJson } from './grads';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  grads --model DIR --batch BATCH.json --out OUT.json
      one DSS forward/backward (dropout off); writes losses and a summary of every gradient
      (shape, norm, sum, first 8 values) keyed by Hugging Face parameter name`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'grads') {
    const { values } = parseArgs({
      args: rest,
      options: { model: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    for (const k of ['model', 'batch', 'out'] as const) if (!values[k]) throw new Error(`grads needs --${k}\n\n${USAGE}`);
    const gpu = await createNodeGpu({ strict: true });
    console.error(`adapter: ${gpu.info.description}`);
    const report = await gradsCommand(gpu, values.model!, values.batch!);
    await writeJson(values.out!, report);
    console.error(`loss_total ${report.loss_total} -> ${values.out}`);
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
