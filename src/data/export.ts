// Export of dataset rows as JSONL or CSV (RFC 4180), readable again by the importer. Only the data columns travel:
// teacher raw replies and validity stay in the studio unless asked for.

import type { DatasetRow } from './records';

export type ExportColumn = 'id' | 'question' | 'label' | 'rationale' | 'source' | 'status' | 'teacherModel' | 'split';
export const DEFAULT_EXPORT_COLUMNS: ExportColumn[] = ['id', 'question', 'label', 'rationale'];

type ExportableRow = Pick<DatasetRow, 'id' | 'question' | 'label' | 'rationale'> & Partial<DatasetRow> & { split?: string };

const cell = (row: ExportableRow, column: ExportColumn): string => String(row[column] ?? '');

/** One JSON object per line, with the chosen columns in order. */
export function* jsonlLines(rows: Iterable<ExportableRow>, columns = DEFAULT_EXPORT_COLUMNS): Generator<string> {
  for (const row of rows) {
    const obj: Record<string, string> = {};
    for (const c of columns) obj[c] = cell(row, c);
    yield JSON.stringify(obj) + '\n';
  }
}

export function toJsonl(rows: Iterable<ExportableRow>, columns = DEFAULT_EXPORT_COLUMNS): string {
  return [...jsonlLines(rows, columns)].join('');
}

/** RFC 4180 quoting: fields with a comma, quote, CR or LF are quoted and quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * CSV injection: spreadsheets run a cell that starts with = + - @ (or tab / CR) as a formula, so such cells are
 * written with a leading ' (OWASP's advice). A value that already starts with quotes before one of those gets one
 * more, so removing exactly one on import (unescapeFormula, done by the importer for CSV) restores every value.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
export function unescapeFormula(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** Header line, then one CRLF-terminated record per row (labels stay JSON text inside the field; formulas escaped). */
export function* csvLines(rows: Iterable<ExportableRow>, columns = DEFAULT_EXPORT_COLUMNS): Generator<string> {
  yield columns.map(csvField).join(',') + '\r\n';
  for (const row of rows) yield columns.map((c) => csvField(escapeFormula(cell(row, c)))).join(',') + '\r\n';
}

export function toCsv(rows: Iterable<ExportableRow>, columns = DEFAULT_EXPORT_COLUMNS): string {
  return [...csvLines(rows, columns)].join('');
}
