// Import of DSS rows from JSONL, a JSON array or CSV: streamed in chunks with progress and cancellation, mapped to
// question/label/rationale, every label checked (JSON, then Query DSL against the task's schema when given), and
// every rejected record listed with its line and reason. Nothing is dropped silently.

import { unescapeFormula } from '../export';
import type { IndexSchema, RowValidity } from '../records';
import { parseJson } from '../query-dsl/json-parse';
import { validateQueryDsl } from '../query-dsl';
import { normalizeQuestion } from '../split';
import { resolveMapping, type ColumnMapping } from './mapping';
import { memberSources, nestingDepth } from './json-source';
import { CsvParser, JsonArrayParser, JsonlParser, type RawRecord, type RecordParser } from './parsers';
import { abortError, textChunks, type ImportSource } from './sources';

export type ImportFormat = 'jsonl' | 'json' | 'csv';
export type ImportProblemReason =
  | 'unparseable' | 'missing-field' | 'repeated-field' | 'label-not-json' | 'label-invalid-dsl' | 'label-too-deep' | 'duplicate-question' | 'duplicate-id';

/** Labels nested deeper than this are refused: no Query DSL comes close, and checkers must not run out of stack. */
export const MAX_LABEL_DEPTH = 256;

export interface ImportProblem {
  /** 1-based line in the file where the record starts. */
  line: number;
  reason: ImportProblemReason;
  message: string;
}

/** Something about an imported row that was read leniently; the row was imported. */
export interface ImportNote {
  line: number;
  kind: 'label-object' | 'loose-quoting';
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
  /** Longest record read (default MAX_RECORD_CHARS): a longer one is reported and skipped, never held whole. */
  maxRecordChars?: number;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportResult {
  format: ImportFormat;
  columns: string[];
  mapping: Partial<ColumnMapping>;
  rows: ImportedRow[];
  /** Records not imported, each with its line and reason. */
  problems: ImportProblem[];
  /** Rows imported with a remark (a label given as a JSON object, loose CSV quoting). */
  notes: ImportNote[];
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
  const nl = head.indexOf('\n');
  const first = nl < 0 ? head : head.slice(0, nl);
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

function makeParser(format: ImportFormat, delimiter: string, stringField?: string, maxRecordChars?: number): RecordParser {
  return format === 'jsonl' ? new JsonlParser(stringField, maxRecordChars) : format === 'json' ? new JsonArrayParser(stringField, maxRecordChars) : new CsvParser(delimiter, maxRecordChars);
}

const asText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'a JSON object' : `a ${typeof v}`);

type Role = 'question' | 'label' | 'rationale';

/** Turns records into rows and problems; keeps the state (mapping, seen questions) across chunks. */
class RowBuilder {
  readonly rows: ImportedRow[] = [];
  readonly problems: ImportProblem[] = [];
  readonly notes: ImportNote[] = [];
  columns: string[] = [];
  mapping: Partial<ColumnMapping> | null = null;
  private readonly seenColumns = new Set<string>();
  private readonly seen = new Map<string, number>();
  /** Ids from the file's id column -> the line that used them: rows are stored by id, so a repeat would overwrite. */
  private readonly ids = new Map<string, number>();
  private readonly required: Role[];
  private readonly csv: boolean;

  constructor(private readonly options: ImportOptions) {
    for (const q of options.existingQuestions ?? []) this.seen.set(normalizeQuestion(q), 0);
    this.required = options.require ?? ['question', 'label', 'rationale'];
    this.csv = options.format === 'csv';
  }

  /** CSV: the header decides the mapping once; a required column it cannot find stops the import with a message. */
  private resolveCsv(columns: string[]): Partial<ColumnMapping> {
    this.columns = columns;
    const mapping = resolveMapping(columns, this.options.mapping);
    const absent = this.required.filter((role) => mapping[role] === undefined || !columns.includes(mapping[role]!));
    if (absent.length > 0) {
      throw new Error(
        `cannot tell which column holds the ${absent.join(' and the ')}: the columns are ${columns.map((c) => JSON.stringify(c)).join(', ') || '(none)'}; choose them in the column mapping`,
      );
    }
    return mapping;
  }

  /**
   * JSON records may differ in their fields: columns are learnt as records arrive, and a role without a column yet
   * is filled from the first record that has one (a role once mapped stays). A record lacking a field is a problem
   * of that record, never of the whole import.
   */
  private learnColumns(keys: string[]): Partial<ColumnMapping> {
    const current = this.mapping ?? {};
    if (this.mapping && this.required.every((role) => current[role] !== undefined)) return this.mapping;
    for (const k of keys) this.seenColumns.add(k);
    this.columns = [...this.seenColumns];
    const detected = resolveMapping(this.columns, this.options.mapping);
    const taken = new Set(Object.values(current));
    const next: Partial<ColumnMapping> = { ...current };
    for (const role of ['question', 'label', 'rationale', 'id'] as const) {
      const column = detected[role];
      if (next[role] === undefined && column !== undefined && !taken.has(column)) {
        next[role] = column;
        taken.add(column);
      }
    }
    this.mapping = next;
    return next;
  }

  add(record: RawRecord, header: string[] | null): void {
    const { line } = record;
    if (record.error !== undefined || !record.value) {
      this.problems.push({ line, reason: 'unparseable', message: record.error ?? 'unreadable record' });
      return;
    }
    const value = record.value;
    const m = header ? (this.mapping ??= this.resolveCsv(header)) : this.learnColumns(Object.keys(value));
    const notes: ImportNote[] = (record.notes ?? []).map((message) => ({ line, kind: 'loose-quoting', message }));

    // Values that are not strings are taken from the source text, exactly as written (see json-source.ts).
    const sources = record.source === undefined ? undefined : memberSources(record.source);
    const sourceOf = (column: string): string | undefined => sources?.get(column);
    // JSON.parse keeps the last of repeated keys; for a field the import reads, which one was meant is a guess.
    const repeated = (['question', 'label', 'rationale', 'id'] as const).map((role) => m[role]).filter((c) => c !== undefined && sources?.repeated.has(c));
    if (repeated.length > 0) {
      this.problems.push({ line, reason: 'repeated-field', message: `field ${repeated.map((c) => JSON.stringify(c)).join(', ')} appears more than once in this record` });
      return;
    }
    const own = (column: string | undefined): unknown => (column !== undefined && Object.hasOwn(value, column) ? value[column] : undefined);
    // CSV cells may carry the exporter's formula escape (a leading '): take it off so exports round-trip.
    const textOf = (column: string | undefined): string | undefined => {
      const v = own(column);
      if (typeof v === 'string') return this.csv ? unescapeFormula(v) : v;
      if (typeof v === 'number' || typeof v === 'boolean') return sourceOf(column!) ?? asText(v);
      return undefined;
    };
    const wrongType: string[] = [];
    const read = (role: 'question' | 'rationale'): string | undefined => {
      const v = own(m[role]);
      if (v !== undefined && v !== null && typeof v === 'object') wrongType.push(`${role} (column ${JSON.stringify(m[role])}) is ${kindOf(v)}, not text`);
      return textOf(m[role])?.trim();
    };
    const question = read('question');
    const rationale = read('rationale');
    const rawLabel = own(m.label);
    let label: string | undefined;
    if (rawLabel !== null && typeof rawLabel === 'object') {
      label = sourceOf(m.label!) ?? safeStringify(rawLabel);
      if (label !== undefined) {
        notes.push({ line, kind: 'label-object', message: `label was given as ${kindOf(rawLabel)}, not a string: stored as its JSON text, exactly as written` });
      }
    } else {
      label = textOf(m.label)?.trim();
    }

    if (wrongType.length > 0) {
      this.problems.push({ line, reason: 'missing-field', message: wrongType.join('; ') });
      return;
    }
    const missing = this.required.filter((role) => !{ question, label, rationale }[role]);
    if (missing.length > 0) {
      const names = missing.map((role) => (m[role] === undefined ? `${role} (no column for it yet: this record's fields are ${Object.keys(value).map((k) => JSON.stringify(k)).join(', ') || 'none'})` : `${role} (column ${JSON.stringify(m[role])})`)).join(', ');
      this.problems.push({ line, reason: 'missing-field', message: `missing or empty: ${names}` });
      return;
    }

    let validity: RowValidity = { parses: false, valid: false, problems: [] };
    if (label) {
      const depth = nestingDepth(label);
      if (depth > MAX_LABEL_DEPTH) {
        this.problems.push({ line, reason: 'label-too-deep', message: `label is nested ${depth} levels deep; labels deeper than ${MAX_LABEL_DEPTH} levels are not imported` });
        return;
      }
      const checked = this.checkLabel(label, line);
      if (!checked) return;
      validity = checked;
      if (!validity.valid && (this.options.invalidLabels ?? 'reject') === 'reject') return;
    }

    const key = normalizeQuestion(question ?? '');
    const firstLine = this.seen.get(key);
    if (question && firstLine !== undefined) {
      this.problems.push({ line, reason: 'duplicate-question', message: firstLine === 0 ? 'the dataset already has this question' : `same question as line ${firstLine}` });
      return;
    }
    const id = m.id === undefined ? undefined : textOf(m.id)?.trim();
    const idLine = id ? this.ids.get(id) : undefined;
    if (id && idLine !== undefined) {
      this.problems.push({ line, reason: 'duplicate-id', message: `id ${JSON.stringify(id)} is already used on line ${idLine}` });
      return;
    }
    if (id) this.ids.set(id, line);
    if (question) this.seen.set(key, line);

    this.rows.push({ line, ...(id ? { id } : {}), question: question ?? '', label: label ?? '', rationale: rationale ?? '', validity });
    this.notes.push(...notes);
  }

  /** JSON, then Query DSL when a schema is given. A checker that fails on odd input is a problem of this row only. */
  private checkLabel(label: string, line: number): RowValidity | undefined {
    try {
      const parsed = parseJson(label);
      if (!parsed.ok) {
        this.problems.push({ line, reason: 'label-not-json', message: `label is not JSON: ${parsed.error.message}` });
        return { parses: false, valid: false, problems: [{ path: '$', message: `not valid JSON: ${parsed.error.message}`, position: parsed.error.position }] };
      }
      if (!this.options.schema) return { parses: true, valid: true, problems: [] };
      const validity = validateQueryDsl(label, this.options.schema);
      if (!validity.valid) {
        const first = validity.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
        const more = validity.problems.length > 3 ? ` (+${validity.problems.length - 3} more)` : '';
        this.problems.push({ line, reason: 'label-invalid-dsl', message: `label is not valid Query DSL: ${first}${more}` });
      }
      return validity;
    } catch (e) {
      this.problems.push({ line, reason: 'label-invalid-dsl', message: `label could not be checked (${e instanceof Error ? e.message : String(e)}); not imported` });
      return undefined;
    }
  }
}

function safeStringify(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** Whitespace as String.prototype.trim sees it, for the characters a file starts with. */
const isBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xfeff || c === 0xa0;

/** Imports rows from a stream or text; throws on cancellation (AbortError) and when the mapping is incomplete. */
export async function importRows(source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const { signal, onProgress } = options;
  let format = options.format;
  let parser: RecordParser | null = null;
  let builder: RowBuilder | null = null;
  let head = '';
  let consumed = 0;
  // Wait for the first line (a non-blank character, then a newline) before deciding the format or the CSV
  // delimiter. Tracked per chunk, so a long first line costs one pass over it.
  let sawText = false;
  const completesFirstLine = (text: string): boolean => {
    let i = 0;
    if (!sawText) {
      while (i < text.length && isBlank(text.charCodeAt(i))) i++;
      if (i === text.length) return false;
      sawText = true;
    }
    return text.indexOf('\n', i) >= 0;
  };

  const feed = (records: RawRecord[]): void => {
    const header = parser instanceof CsvParser ? parser.columns : null;
    for (const r of records) builder!.add(r, header);
  };

  for await (const chunk of textChunks(source, signal)) {
    consumed = chunk.consumed;
    if (!parser) {
      head += chunk.text;
      if (!completesFirstLine(chunk.text) && head.length < 65536) continue;
      format ??= detectFormat(options.fileName, head);
      parser = makeParser(format, options.csvDelimiter ?? sniffDelimiter(head.trimStart()), options.stringsAs, options.maxRecordChars);
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
    parser = makeParser(format, options.csvDelimiter ?? sniffDelimiter(head.trimStart()), options.stringsAs, options.maxRecordChars);
    builder = new RowBuilder({ ...options, format });
    feed(parser.push(head));
  }
  feed(parser.end());
  const b = builder!;
  onProgress?.({ consumed, total: options.totalBytes, rows: b.rows.length, problems: b.problems.length });
  const columns = b.columns.length > 0 ? b.columns : parser instanceof CsvParser ? parser.columns ?? [] : [];
  return { format: format!, columns, mapping: b.mapping ?? resolveMapping(columns, options.mapping), rows: b.rows, problems: b.problems, notes: b.notes };
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
