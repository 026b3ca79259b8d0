// The Stepwise engine from the command line: `npm run cli -- <command> [options]`. Every command goes through the
// engine; a failure prints one line (no stack trace) and exits 1.
import { parseArgs } from 'node:util';
import { createNodeGpu } from '../hosts/node/gpu';
import { EVAL_USAGE, evalCommand } from './eval';
import { EXPORT_USAGE, exportAdapterCommand } from './export-adapter';
import { EXPORT_RAY_USAGE, exportRayCommand } from './export-ray';
import { gradsCommand, writeJson } from './grads';
import { mergeCommand } from './merge';
import { ABLATION_USAGE, ablationCommand } from './ablation';
import { REPORT_USAGE, reportCommand } from './report';
import { SWEEP_USAGE, sweepCommand } from './sweep';
import { TRAIN_USAGE, trainCommand } from './train';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
${TRAIN_USAGE}
${EVAL_USAGE}
${EXPORT_USAGE}
${EXPORT_RAY_USAGE}
${SWEEP_USAGE}
${ABLATION_USAGE}
${REPORT_USAGE}
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
  if (command === 'train') return trainCommand(rest);
  if (command === 'eval') return evalCommand(rest);
  if (command === 'export-adapter') return exportAdapterCommand(rest);
  if (command === 'export-ray') return exportRayCommand(rest);
  if (command === 'sweep') return sweepCommand(rest);
  if (command === 'ablation') return ablationCommand(rest);
  if (command === 'report') return reportCommand(rest);
  if (command === 'grads') {
    const { values } = parseArgs({
      args: rest,
      options: {
        model: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' }, adapter: { type: 'string' },
        nf4: { type: 'boolean' }, 'double-quant': { type: 'boolean' },
      },
      strict: true,
    });
    for (const k of ['model', 'batch', 'out'] as const) if (!values[k]) throw new Error(`grads needs --${k}`);
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
    for (const k of ['model', 'adapter', 'out'] as const) if (!values[k]) throw new Error(`merge needs --${k}`);
    const gpu = await createNodeGpu({ strict: true });
    const written = await mergeCommand(gpu, values.model!, values.adapter!, values.out!, values.dtype);
    console.error(`wrote ${written.join(', ')} -> ${values.out}`);
    gpu.destroy();
    return 0;
  }
  throw new Error(`unknown command "${command}" (npm run cli -- --help lists the commands)`);
}

/** One line a person can act on: the message's first line, with the engine's error kind when there is one. */
function errorLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n').find((l) => l.trim()) ?? 'failed';
  const kind = (e as { kind?: string } | null)?.kind;
  return kind && kind !== 'bad-input' && kind !== 'internal' ? `error (${kind}): ${first}` : `error: ${first}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(errorLine(e));
    process.exit(1);
  },
);
