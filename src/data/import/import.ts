// Import of DSS rows from JSONL, a JSON array or CSV: streamed in chunks with progress and cancellation, mapped to
// question/label/rationale, every label checked (JSON, then Query DSL against the task's schema when given), and
// every rejected record listed with its line and reason. Nothing is dropped silently.

import { unescapeFormula } from '../export';
import type { IndexSchema, RowValidity } from '../records';
import { parseJson } from '../query-dsl/json-parse';
import { validateQueryDsl } from '../query-dsl';
import { normalizeQuestion } from '../split';
import { resolveMapping, type ColumnMapping } from './mapping';
import { CsvParser, JsonArrayParser, JsonlParser, type RawRecord, type RecordParser } from './parsers';
import { abortError, textChunks, type ImportSource } from './sources';

export type ImportFormat = 'jsonl' | 'json' | 'csv';
export type ImportProblemReason = 'unparseable' | 'missing-field' | 'label-not-json' | 'label-invalid-dsl' | 'duplicate-question' | 'duplicate-id';

export interface ImportProblem {
  /** 1-based line in the file where the record starts. */
  line: number;
  reason: ImportProblemReason;
  message: string;
}

export interface ImportedRow {
  line: number;
  /** From the mapped id column, when there is one and it is filled. */
  id?: string;
  question: string;
  /** Query DSL JSON text (objects in JSON sources are written compactly). */
  label: string;
  rationale: string;
  validity: RowValidity;
}

export interface ImportProgress {
  /** Bytes read (characters for string sources). */
  consumed: number;
  /** Total size when the caller knows it (File.size). */
  total?: number;
  rows: number;
  problems: number;
}

export interface ImportOptions {
  /** Default: from fileName's extension (a ".json" starting with "{" is JSONL), else sniffed from the first character. */
  format?: ImportFormat;
  fileName?: string;
  /** User choices over the auto-detected mapping. */
  mapping?: Partial<ColumnMapping>;
  /** Validates labels as Query DSL for this index; without it only JSON well-formedness is checked. */
  schema?: IndexSchema;
  /** Fields a row must have (default all three; a question list for the teacher needs only 'question'). */
  require?: ('question' | 'label' | 'rationale')[];
  /** 'reject' (default): rows with a bad label are listed as problems only; 'keep': also imported, with their validity. */
  invalidLabels?: 'reject' | 'keep';
  /** Questions already in the dataset: importing them again counts as a duplicate. */
  existingQuestions?: Iterable<string>;
  csvDelimiter?: string;
  /** JSON/JSONL records that are bare strings are read as a record with this one field (question lists). */
  stringsAs?: 'question';
  totalBytes?: number;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportResult {
  format: ImportFormat;
  columns: string[];
  mapping: Partial<ColumnMapping>;
  rows: ImportedRow[];
  problems: ImportProblem[];
}

export function formatFromName(fileName: string | undefined): ImportFormat | undefined {
  const ext = fileName?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : ext === 'json' ? 'json' : ext === 'csv' || ext === 'tsv' ? 'csv' : undefined;
}

/** Format from the first non-blank character: [ -> JSON array, { -> JSONL, anything else -> CSV. */
export function sniffFormat(head: string): ImportFormat {
  const c = head.replace(/^\uFEFF/, '').trimStart()[0];
  return c === '[' ? 'json' : c === '{' ? 'jsonl' : 'csv';
}

/** The CSV delimiter of a header line: comma unless the line has none and has tabs or semicolons. */
export function sniffDelimiter(head: string): string {
  const first = head.split(/\r?\n/, 1)[0];
  if (first.includes(',')) return ',';
  if (first.includes('\t')) return '\t';
  if (first.includes(';')) return ';';
  return ',';
}

/**
 * The format from the file name, checked against the content: the extension wins except for a ".json" file that
 * starts with "{", which is JSON Lines under the wrong name (a JSON array starts with "[").
 */
export function detectFormat(fileName: string | undefined, head: string): ImportFormat {
  const byName = formatFromName(fileName);
  const sniffed = sniffFormat(head);
  if (byName === 'json' && sniffed === 'jsonl') return 'jsonl';
  return byName ?? sniffed;
}

function makeParser(format: ImportFormat, delimiter: string, stringField?: string): RecordParser {
  return format === 'jsonl' ? new JsonlParser(stringField) : format === 'json' ? new JsonArrayParser(stringField) : new CsvParser(delimiter);
}

const asText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Turns records into rows and problems; keeps the state (mapping, seen questions) across chunks. */
class RowBuilder {
  readonly rows: ImportedRow[] = [];
  readonly problems: ImportProblem[] = [];
  columns: string[] = [];
  mapping: Partial<ColumnMapping> | null = null;
  private readonly seen = new Map<string, number>();
  /** Ids from the file's id column -> the line that used them: rows are stored by id, so a repeat would overwrite. */
  private readonly ids = new Map<string, number>();

  constructor(private readonly options: ImportOptions) {
    for (const q of options.existingQuestions ?? []) this.seen.set(normalizeQuestion(q), 0);
  }

  private resolve(columns: string[]): Partial<ColumnMapping> {
    this.columns = columns;
    const mapping = resolveMapping(columns, this.options.mapping);
    const required = this.options.require ?? ['question', 'label', 'rationale'];
    const csv = this.options.format === 'csv';
    const absent = required.filter((role) => mapping[role] === undefined || (csv && !columns.includes(mapping[role]!)));
    if (absent.length > 0) {
      throw new Error(
        `cannot tell which column holds the ${absent.join(' and the ')}: the columns are ${columns.map((c) => JSON.stringify(c)).join(', ') || '(none)'}; choose them in the column mapping`,
      );
    }
    return mapping;
  }

  add(record: RawRecord, header: string[] | null): void {
    const { line } = record;
    if (record.error !== undefined || !record.value) {
      this.problems.push({ line, reason: 'unparseable', message: record.error ?? 'unreadable record' });
      return;
    }
    const value = record.value;
    this.mapping ??= this.resolve(header ?? Object.keys(value));
    const m = this.mapping;
    const required = this.options.require ?? ['question', 'label', 'rationale'];

    // CSV cells may carry the exporter's formula escape (a leading '): take it off so exports round-trip.
    const csv = this.options.format === 'csv';
    const textOf = (v: unknown): string | undefined => {
      const t = asText(v);
      return t !== undefined && csv ? unescapeFormula(t) : t;
    };
    const read = (role: 'question' | 'rationale'): string | undefined => (m[role] === undefined ? undefined : textOf(value[m[role]!])?.trim());
    const question = read('question');
    const rationale = read('rationale');
    const rawLabel = m.label === undefined ? undefined : value[m.label];
    const label = typeof rawLabel === 'string' ? textOf(rawLabel)!.trim() : rawLabel !== undefined && rawLabel !== null && typeof rawLabel === 'object' ? JSON.stringify(rawLabel) : asText(rawLabel);

    const missing = required.filter((role) => !({ question, label, rationale }[role]));
    if (missing.length > 0) {
      const names = missing.map((role) => `${role} (column ${JSON.stringify(m[role])})`).join(', ');
      this.problems.push({ line, reason: 'missing-field', message: `missing or empty: ${names}` });
      return;
    }

    let validity: RowValidity = { parses: false, valid: false, problems: [] };
    if (label) {
      const parsed = parseJson(label);
      if (!parsed.ok) {
        validity = { parses: false, valid: false, problems: [{ path: '$', message: `not valid JSON: ${parsed.error.message}`, position: parsed.error.position }] };
        this.problems.push({ line, reason: 'label-not-json', message: `label is not JSON: ${parsed.error.message}` });
      } else if (this.options.schema) {
        validity = validateQueryDsl(label, this.options.schema);
        if (!validity.valid) {
          const first = validity.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
          const more = validity.problems.length > 3 ? ` (+${validity.problems.length - 3} more)` : '';
          this.problems.push({ line, reason: 'label-invalid-dsl', message: `label is not valid Query DSL: ${first}${more}` });
        }
      } else {
        validity = { parses: true, valid: true, problems: [] };
      }
      if (!validity.valid && (this.options.invalidLabels ?? 'reject') === 'reject') return;
    }

    const key = normalizeQuestion(question ?? '');
    const firstLine = this.seen.get(key);
    if (question && firstLine !== undefined) {
      this.problems.push({ line, reason: 'duplicate-question', message: firstLine === 0 ? 'the dataset already has this question' : `same question as line ${firstLine}` });
      return;
    }
    const id = m.id === undefined ? undefined : textOf(value[m.id])?.trim();
    const idLine = id ? this.ids.get(id) : undefined;
    if (id && idLine !== undefined) {
      this.problems.push({ line, reason: 'duplicate-id', message: `id ${JSON.stringify(id)} is already used on line ${idLine}` });
      return;
    }
    if (id) this.ids.set(id, line);
    if (question) this.seen.set(key, line);

    this.rows.push({ line, ...(id ? { id } : {}), question: question ?? '', label: label ?? '', rationale: rationale ?? '', validity });
  }
}

/** Imports rows from a stream or text; throws on cancellation (AbortError) and when the mapping is incomplete. */
export async function importRows(source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const { signal, onProgress } = options;
  let format = options.format;
  let parser: RecordParser | null = null;
  let builder: RowBuilder | null = null;
  let head = '';
  let consumed = 0;

  const feed = (records: RawRecord[]): void => {
    const header = parser instanceof CsvParser ? parser.columns : null;
    for (const r of records) builder!.add(r, header);
  };

  for await (const chunk of textChunks(source, signal)) {
    consumed = chunk.consumed;
    if (!parser) {
      head += chunk.text;
      // Wait for the first line before deciding the format or the CSV delimiter.
      if (!/\S[\s\S]*\n/.test(head) && head.length < 65536) continue;
      format ??= detectFormat(options.fileName, head);
      parser = makeParser(format, options.csvDelimiter ?? sniffDelimiter(head.trimStart()), options.stringsAs);
      builder = new RowBuilder({ ...options, format });
      feed(parser.push(head));
    } else {
      feed(parser.push(chunk.text));
    }
    onProgress?.({ consumed, total: options.totalBytes, rows: builder!.rows.length, problems: builder!.problems.length });
    if (signal?.aborted) throw abortError(signal);
  }
  if (!parser) {
    format ??= detectFormat(options.fileName, head);
    parser = makeParser(format, options.csvDelimiter ?? sniffDelimiter(head.trimStart()), options.stringsAs);
    builder = new RowBuilder({ ...options, format });
    feed(parser.push(head));
  }
  feed(parser.end());
  const b = builder!;
  onProgress?.({ consumed, total: options.totalBytes, rows: b.rows.length, problems: b.problems.length });
  const columns = b.columns.length > 0 ? b.columns : parser instanceof CsvParser ? parser.columns ?? [] : [];
  return { format: format!, columns, mapping: b.mapping ?? resolveMapping(columns, options.mapping), rows: b.rows, problems: b.problems };
}

export interface ImportPreview {
  format: ImportFormat;
  columns: string[];
  /** Auto-detected mapping (before user choices). */
  detected: Partial<ColumnMapping>;
  /** The first few records as they were read. */
  sample: Record<string, unknown>[];
  delimiter?: string;
}

/** Looks at the start of a file (say its first 64 KB) to offer the column-mapping step. */
export function previewImport(head: string, options: { fileName?: string; format?: ImportFormat; csvDelimiter?: string; maxRecords?: number; stringsAs?: 'question' } = {}): ImportPreview {
  const text = head.replace(/^\uFEFF/, '');
  const format = options.format ?? detectFormat(options.fileName, text);
  const delimiter = options.csvDelimiter ?? sniffDelimiter(text.trimStart());
  const parser = makeParser(format, delimiter, options.stringsAs);
  // The head may end mid-record: records completed by push() are whole; end() would report the cut one.
  const records = parser.push(text).filter((r) => r.value);
  const sample = records.slice(0, options.maxRecords ?? 5).map((r) => r.value!);
  const columns = parser instanceof CsvParser ? parser.columns ?? [] : [...new Set(sample.flatMap((s) => Object.keys(s)))];
  return { format, columns, detected: resolveMapping(columns), sample, ...(format === 'csv' ? { delimiter } : {}) };
}
