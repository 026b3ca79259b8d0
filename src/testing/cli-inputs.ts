// The folder and file the CLI tests train on: a tiny random T5 checkpoint (without "{" and "}", so a run adds them)
// and 8 JSONL rows whose labels are small Query DSL objects.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyT5 } from '../io/tiny-t5';

export interface CliInputsOptions {
  dKv?: number;
  seed?: number;
}

/** Writes `root/model` and `root/data.jsonl`; returns their paths. */
export function writeCliInputs(root: string, { dKv = 8, seed = 5 }: CliInputsOptions = {}): { model: string; data: string } {
  const model = join(root, 'model');
  const data = join(root, 'data.jsonl');
  mkdirSync(model, { recursive: true });
  const files = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}', seed });
  for (const [name, bytes] of files) writeFileSync(join(model, name), bytes);
  const lines = Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({ id: `r${i}`, question: `how many orders in region ${i}`, label: JSON.stringify({ size: i }), rationale: `count the orders of region ${i}` }),
  );
  writeFileSync(data, `${lines.join('\n')}\n`);
  return { model, data };
}
