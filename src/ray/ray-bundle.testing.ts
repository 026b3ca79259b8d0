// Test-only: a tiny checkpoint whose tokenizer lacks "{" "}" (so the bundle carries a repaired tokenizer and added
// token ids), a few DSS rows (one without a rationale) and a run config, written to a temporary folder, and the
// bundle the CLI exports from them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { exportRayCommand } from '../cli/export-ray';
import { makeTinyT5 } from '../io/tiny-t5';
import type { RunConfig } from '../settings/run-config';
import { PYTHON } from '../testing/python';

export interface RayFixture {
  root: string;
  model: string;
  data: string;
  config: string;
}

const QUESTIONS = ['count sales in Europe', 'top orders by price', 'all customers', 'total revenue per region', 'orders last month',
  'average price per category', 'how many products', 'sales by status', 'customers in Asia', 'list the top products', 'returns per week'];

export function makeRayFixture(config: Partial<RunConfig>): RayFixture {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-ray-'));
  const model = join(root, 'model');
  mkdirSync(model);
  const files = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 8, dFf: 64, vocab: 160, spareRows: 4, omitChars: '{}', seed: 5 });
  for (const [name, bytes] of files) writeFileSync(join(model, name), bytes);
  const lines = QUESTIONS.map((q, i) => JSON.stringify({
    id: `q${i}`, question: q, label: JSON.stringify({ size: i, query: { match: { region: 'Europe' } } }),
    ...(i === 3 ? {} : { rationale: `the ${q.split(' ')[0]} ${'is '.repeat(i % 4)}${i}` }),
  }));
  const data = join(root, 'data.jsonl');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const path = join(root, 'run-config.json');
  writeFileSync(path, JSON.stringify(config));
  return { root, model, data, config: path };
}

/** `export-ray --config --data --model --out <root>/<name>`; returns the bundle folder. */
export async function exportBundle(f: RayFixture, name: string, extra: string[] = []): Promise<string> {
  const out = join(f.root, name);
  await exportRayCommand(['--config', f.config, '--data', f.data, '--model', f.model, '--out', out, ...extra]);
  return out;
}

/** Every file under a folder, by relative path. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Run a Python snippet with Debian's python3 (no bytecode files); its stdout parsed as JSON. */
export function python(code: string, args: string[] = [], cwd?: string): unknown {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', timeout: 300_000, cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
