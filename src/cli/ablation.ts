// `stepwise ablation`: a = 0.5 (Distilling Step-by-Step) vs a = 1.0 (label only) for each model x method x seed, as
// the paper's Table 4, run and resumed like a sweep (same folder layout). `report` turns its results into Table 4.
import { parseArgs } from 'node:util';
import { ablationGrid, expandGrid } from '../experiments/grid';
import { baseConfig, methodList, modelsOf, numberList, readData, runTrials, SHARED_OPTIONS } from './sweep';

export const ABLATION_USAGE = `  ablation --model DIR[,DIR2] --data FILE.jsonl --out DIR [--methods lora] [--a 0.5,1.0] [--seeds 1,2]
        [--rank 128] [--alpha 512] [train flags]
      the loss-weight ablation (Table 4): each model x method x seed at every a; resumes like sweep`;

export async function ablationCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { ...SHARED_OPTIONS, a: { type: 'string' }, rank: { type: 'string' }, alpha: { type: 'string' } },
  });
  const v = values as Record<string, string | boolean | undefined>;
  for (const k of ['model', 'data', 'out'] as const) if (typeof v[k] !== 'string') throw new Error(`ablation needs --${k}`);
  const base = baseConfig(v);
  const rank = numberList('rank', v.rank as string | undefined, [128]);
  const alpha = numberList('alpha', v.alpha as string | undefined, [512]);
  if (rank.length !== 1 || alpha.length !== 1) throw new Error('--rank and --alpha take one value each (a sweep varies them)');
  base.lora = { ...(base.lora ?? {}), rank: rank[0], alpha: alpha[0] } as NonNullable<typeof base.lora>;
  const mixes = numberList('a', v.a as string | undefined, [0.5, 1.0]);
  const grid = ablationGrid(modelsOf(v.model as string), methodList(v.methods as string | undefined, ['lora']), numberList('seeds', v.seeds as string | undefined, [1, 2]), mixes, base);
  const data = await readData(v);
  return runTrials('ablation', expandGrid(grid), data, v.out as string);
}
