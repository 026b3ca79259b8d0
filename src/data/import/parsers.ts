// Incremental record parsers for JSONL, a JSON array and CSV (RFC 4180). Each takes text in chunks of any size
// (a chunk may end inside a line, a quoted field or a string) and hands out records with the 1-based line of the
// file where each record starts, so problems can name it. A record that cannot be parsed becomes an error record;
// parsing goes on with the next one.

export interface RawRecord {
  line: number;
  /** The record's fields; absent when `error` is set. */
  value?: Record<string, unknown>;
  error?: string;
}

export interface RecordParser {
  /** Records completed by this chunk. */
  push(chunk: string): RawRecord[];
  /** Records left at the end of the input. */
  end(): RawRecord[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `stringField`: a bare JSON string is read as a record with that one field (a list of questions: ["q1", "q2"]). */
function jsonRecord(text: string, line: number, what: string, stringField?: string): RawRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, error: `${what} is not valid JSON: ${(e as Error).message}` };
  }
  if (stringField !== undefined && typeof value === 'string') return { line, value: { [stringField]: value } };
  return isPlainObject(value) ? { line, value } : { line, error: `${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}` };
}

/** One JSON object per line; blank lines are skipped. */
export class JsonlParser implements RecordParser {
  private rest = '';
  private line = 0;

  constructor(private readonly stringField?: string) {}

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let text = this.rest + chunk;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      this.take(text.slice(0, nl), out);
      text = text.slice(nl + 1);
    }
    this.rest = text;
    return out;
  }

  end(): RawRecord[] {
    const out: RawRecord[] = [];
    if (this.rest !== '') this.take(this.rest, out);
    this.rest = '';
    return out;
  }

  private take(raw: string, out: RawRecord[]): void {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    out.push(jsonRecord(text, this.line, 'line', this.stringField));
  }
}

/** A top-level JSON array of objects, split into elements without parsing the whole file at once. */
export class JsonArrayParser implements RecordParser {
  private state: 'before' | 'between' | 'element' | 'after' | 'broken' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element = '';
  private elementLine = 0;
  private line = 1;
  private index = 0;

  constructor(private readonly stringField?: string) {}

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let runStart = 0; // start of the part of `chunk` that belongs to the current element
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (ch === '\\') this.escaped = true;
          else if (ch === '"') this.inString = false;
        } else if (ch === '"') this.inString = true;
        else if (ch === '{' || ch === '[') this.depth++;
        else if (ch === '}' || ch === ']') {
          if (this.depth === 0) {
            // the closing ] of the top-level array ends the last element
            this.finish(this.element + chunk.slice(runStart, i), out);
            this.state = 'after';
          } else this.depth--;
        } else if (ch === ',' && this.depth === 0) {
          this.finish(this.element + chunk.slice(runStart, i), out);
          this.state = 'between';
        }
      } else if (this.state === 'before') {
        if (ch === '[') this.state = 'between';
        else if (!/\s/.test(ch)) {
          out.push({ line: this.line, error: `expected a JSON array ([...]) but found ${JSON.stringify(ch)}` });
          this.state = 'broken';
        }
      } else if (this.state === 'between') {
        if (ch === ']' && this.index === 0) this.state = 'after';
        else if (!/\s/.test(ch)) {
          this.state = 'element';
          this.element = '';
          this.elementLine = this.line;
          runStart = i;
          i--; // re-read this character as part of the element
          continue;
        }
      } else if (this.state === 'after' && !/\s/.test(ch)) {
        out.push({ line: this.line, error: `unexpected ${JSON.stringify(ch)} after the end of the JSON array` });
        this.state = 'broken';
      }
      if (ch === '\n') this.line++;
    }
    if (this.state === 'element') this.element += chunk.slice(runStart);
    return out;
  }

  end(): RawRecord[] {
    if (this.state === 'element' || this.state === 'between') {
      return [{ line: this.state === 'element' ? this.elementLine : this.line, error: 'the JSON array is not closed (file cut short?)' }];
    }
    if (this.state === 'before') return [{ line: this.line, error: 'empty file: expected a JSON array' }];
    return [];
  }

  private finish(text: string, out: RawRecord[]): void {
    this.index++;
    this.depth = 0;
    out.push(jsonRecord(text.trim(), this.elementLine, `array element ${this.index}`, this.stringField));
  }
}

/** RFC 4180 CSV: the first record is the header; quoted fields may hold delimiters, "" quotes and newlines. */
export class CsvParser implements RecordParser {
  private header: string[] | null = null;
  private fields: string[] = [];
  private field = '';
  private state: 'start' | 'unquoted' | 'quoted' | 'quote' = 'start';
  private error: string | null = null;
  private line = 1;
  private recordLine = 1;
  private skipLf = false;
  private sawContent = false;

  constructor(private readonly delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new Error(`bad CSV delimiter ${JSON.stringify(delimiter)}`);
  }

  /** Column names once the header has been read. */
  get columns(): string[] | null {
    return this.header;
  }

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    const d = this.delimiter;
    let runStart = -1; // start of a plain run of field characters inside `chunk` (copied in one slice)
    const flushRun = (i: number): void => {
      if (runStart >= 0) this.field += chunk.slice(runStart, i);
      runStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (this.skipLf) {
        this.skipLf = false;
        if (ch === '\n') continue;
      }
      if (this.state === 'quoted') {
        if (ch === '"') {
          flushRun(i);
          this.state = 'quote';
        } else {
          if (ch === '\n') this.line++;
          if (runStart < 0) runStart = i;
        }
        continue;
      }
      if (this.state === 'quote') {
        if (ch === '"') {
          this.field += '"';
          this.state = 'quoted';
          continue;
        }
        this.state = 'unquoted';
        if (ch !== d && ch !== '\n' && ch !== '\r') {
          this.error ??= `unexpected ${JSON.stringify(ch)} after a closing quote (quotes inside a field must be doubled: "")`;
        }
      }
      if (ch === d) {
        flushRun(i);
        this.fields.push(this.field);
        this.field = '';
        this.state = 'start';
        this.sawContent = true;
      } else if (ch === '\n' || ch === '\r') {
        flushRun(i);
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        this.skipLf = ch === '\r';
      } else if (ch === '"' && this.state === 'start') {
        this.state = 'quoted';
        this.sawContent = true;
      } else {
        if (runStart < 0) runStart = i;
        this.state = 'unquoted';
        this.sawContent = true;
      }
    }
    flushRun(chunk.length);
    return out;
  }

  end(): RawRecord[] {
    const out: RawRecord[] = [];
    if (this.state === 'quoted') {
      this.error ??= 'a quoted field is not closed before the end of the file';
    }
    this.endRecord(out);
    return out;
  }

  private endRecord(out: RawRecord[]): void {
    const fields = [...this.fields, this.field];
    const line = this.recordLine;
    const blank = !this.sawContent && this.field === '';
    const error = this.error;
    this.fields = [];
    this.field = '';
    this.state = 'start';
    this.error = null;
    this.sawContent = false;
    if (blank && error === null) return;
    if (this.header === null) {
      if (error) out.push({ line, error: `header: ${error}` });
      this.header = fields.map((f) => f.trim());
      return;
    }
    if (error) {
      out.push({ line, error });
      return;
    }
    if (fields.length !== this.header.length) {
      out.push({ line, error: `expected ${this.header.length} fields (as in the header) but found ${fields.length}` });
      return;
    }
    const value: Record<string, unknown> = {};
    this.header.forEach((name, i) => (value[name] = fields[i]));
    out.push({ line, value });
  }
}
