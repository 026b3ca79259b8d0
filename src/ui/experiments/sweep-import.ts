// Importing a SWEEP_DIR into the studio: its results.json, or the zip of the folder (results.json inside, or else the
// run folders' run.json + metrics.jsonl, charted like the studio's own runs).
import { unzipSync } from 'fflate';
import type { RunRecord } from '../../engine/run-api';
import { metricRowsOf, parseResults, rowFromRecord, type ResultRow } from '../../experiments/results';

const decoder = new TextDecoder();

function json(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

/** Result rows from a results.json or a SWEEP_DIR zip (bytes and the file's name, for messages). */
export function importSweep(bytes: Uint8Array, name: string): ResultRow[] {
  if (!name.toLowerCase().endsWith('.zip')) return parseResults(json(bytes, name), name);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${name}: not a zip file (${(e as Error).message})`);
  }
  const paths = Object.keys(entries).filter((p) => !p.endsWith('/'));
  // The shallowest results.json (the zip may hold SWEEP_DIR itself or its contents).
  const results = paths.filter((p) => p.split('/').pop() === 'results.json').sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (results) return parseResults(json(entries[results], `${name}/${results}`), `${name}/${results}`);
  const rows: ResultRow[] = [];
  for (const runJson of paths.filter((p) => p.split('/').pop() === 'run.json')) {
    const record = json(entries[runJson], `${name}/${runJson}`) as RunRecord;
    const metricsPath = runJson.replace(/run\.json$/, 'metrics.jsonl');
    const metrics = entries[metricsPath]
      ? metricRowsOf(decoder.decode(entries[metricsPath]))
      : [];
    const row = rowFromRecord(record, metrics);
    if (row) rows.push(row);
  }
  if (rows.length === 0) throw new Error(`${name}: no results.json and no finished run folder (run.json) inside`);
  return rows;
}
