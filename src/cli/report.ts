// `stepwise report`: Table 3 (leaderboard), Table 4 (ablation, when the runs have two values of a), Figure 6 (quad
// chart) and Figure 7 (heatmap) as CSV, SVG and PNG from a SWEEP_DIR's results.json, or from the run folders under it
// when there is none (any set of runs). The PNGs are the SVGs rasterized by hosts/node/svg-png.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunRecord } from '../engine/run-api';
import { reportFiles } from '../experiments/report';
import { canRenderText, svgToPng } from '../hosts/node/svg-png';
import { metricRowsOf, parseResults, rowFromRecord, type ResultRow } from '../experiments/results';

export const REPORT_USAGE = `  report --runs SWEEP_DIR --out DIR
      Table 3, Table 4, Figure 6 and Figure 7 as CSV + SVG + PNG (and report.md) from SWEEP_DIR/results.json, or from the
      finished run folders under SWEEP_DIR when it has none`;

/** Rows of every finished run folder (run.json + metrics.jsonl) directly under dir. */
export async function rowsFromRunFolders(dir: string): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const runJson = join(dir, e.name, 'run.json');
    if (!e.isDirectory() || !existsSync(runJson)) continue;
    let record: RunRecord;
    try {
      record = JSON.parse(await readFile(runJson, 'utf8')) as RunRecord;
    } catch (err) {
      throw new Error(`${runJson}: not valid JSON (${(err as Error).message})`);
    }
    const metricsPath = join(dir, e.name, 'metrics.jsonl');
    const metrics = existsSync(metricsPath)
      ? metricRowsOf(await readFile(metricsPath, 'utf8'))
      : [];
    const row = rowFromRecord(record, metrics);
    if (row) rows.push(row);
  }
  return rows;
}

export async function loadResults(runsDir: string): Promise<{ rows: ResultRow[]; from: string }> {
  const dir = resolve(runsDir);
  if (!existsSync(dir)) throw new Error(`${runsDir} does not exist`);
  const results = join(dir, 'results.json');
  if (existsSync(results)) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(results, 'utf8'));
    } catch (e) {
      throw new Error(`${results}: not valid JSON (${(e as Error).message})`);
    }
    return { rows: parseResults(json, results), from: results };
  }
  return { rows: await rowsFromRunFolders(dir), from: `the run folders in ${runsDir}` };
}

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { runs: { type: 'string' }, out: { type: 'string' } } });
  if (!values.runs) throw new Error('report needs --runs SWEEP_DIR');
  if (!values.out) throw new Error('report needs --out DIR');
  const { rows, from } = await loadResults(values.runs);
  if (rows.length === 0) throw new Error(`${values.runs} has no results.json and no finished run folders`);
  const files: Record<string, string | Uint8Array> = reportFiles(rows);
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('.svg') && typeof text === 'string') files[name.replace(/\.svg$/, '.png')] = svgToPng(text);
  }
  if (!canRenderText()) {
    const note = 'The PNG figures have no text: the rasterizer found no system font (install fonts-dejavu or fonts-liberation).';
    files['report.md'] = `${files['report.md']}\n${note}\n`;
    process.stderr.write(`${note}\n`);
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(out, name), data);
  process.stderr.write(`${rows.length} rows from ${from} -> ${values.out}: ${Object.keys(files).sort().join(', ')}\n`);
  return 0;
}
