// A JSONL file as the rows a run trains or evaluates on. Stepwise's own exports have question / label / rationale;
// --columns maps a foreign file's fields (question=instruction,label=output). A label that is a JSON object is
// taken as its JSON text. Bad lines are refused with the file, the line and the field named.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RunData, TrainingRow } from '../engine/run-api';

export type ColumnMap = Record<'question' | 'label' | 'rationale', string>;

export const DEFAULT_COLUMNS: ColumnMap = { question: 'question', label: 'label', rationale: 'rationale' };

/** "question=instruction,label=output[,rationale=why]" -> the map (unnamed fields keep their default names). */
export function parseColumns(spec: string | undefined): ColumnMap {
  const out = { ...DEFAULT_COLUMNS };
  if (spec === undefined) return out;
  for (const part of spec.split(',')) {
    const m = /^\s*(question|label|rationale)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(part);
    if (!m) throw new Error(`--columns: "${part}" is not FIELD=COLUMN with FIELD one of question, label, rationale (e.g. question=instruction,label=output)`);
    out[m[1] as keyof ColumnMap] = m[2];
  }
  return out;
}

export interface JsonlRows {
  data: RunData;
  /** Rows whose rationale column is missing or empty. */
  withoutRationale: number;
}

function text(value: unknown, where: string, field: string, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) throw new Error(`${where}: no "${field}" field`);
    return '';
  }
  if (typeof value === 'string') return value;
  if (field !== 'question' && typeof value === 'object') return JSON.stringify(value);
  throw new Error(`${where}: "${field}" must be text${field === 'question' ? '' : ' or a JSON object'}, got ${JSON.stringify(value).slice(0, 40)}`);
}

/** Rows of a JSONL file (blank lines skipped); ids from an "id" field or the line number. */
export async function readJsonlRows(path: string, columns: ColumnMap = DEFAULT_COLUMNS): Promise<JsonlRows> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rows: TrainingRow[] = [];
  let withoutRationale = 0;
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: expected a JSON object per line`);
    const o = json as Record<string, unknown>;
    const rationale = text(o[columns.rationale], where, columns.rationale, false);
    if (!rationale.trim()) withoutRationale++;
    rows.push({
      id: typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : `line-${i + 1}`,
      question: text(o[columns.question], where, columns.question, true),
      label: text(o[columns.label], where, columns.label, true),
      rationale,
    });
  });
  if (rows.length === 0) throw new Error(`${path}: no rows (expected one JSON object per line)`);
  return { data: { name: basename(path), rows }, withoutRationale };
}
