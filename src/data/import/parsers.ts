// Incremental record parsers for JSONL, a JSON array and CSV (RFC 4180). Each takes text in chunks of any size
// (a chunk may end inside a line, a quoted field or a string) and hands out records with the 1-based line of the
// file where each record starts, so problems can name it. A record that cannot be parsed becomes an error record;
// parsing goes on with the next one.

export interface RawRecord {
  line: number;
  /** The record's fields; absent when `error` is set. */
  value?: Record<string, unknown>;
  /** The record's JSON source text (JSON and JSONL), so values can be kept exactly as written. */
  source?: string;
  error?: string;
  /** Things read leniently that the import report should mention (loose CSV quoting). */
  notes?: string[];
}

export interface RecordParser {
  /** Records completed by this chunk. */
  push(chunk: string): RawRecord[];
  /** Records left at the end of the input. */
  end(): RawRecord[];
}

/** Longest record (line, array element, CSV record) read, in characters: a longer one is reported, not held. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

const tooLong = (limit: number) => `longer than ${limit >= 1024 * 1024 ? `${limit / 1024 / 1024} M` : limit} characters (the most one record may have); not imported`;

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
  return isPlainObject(value) ? { line, value, source: text } : { line, error: `${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}` };
}

/** One JSON object per line; blank lines are skipped. Linear in the input however long a line is. */
export class JsonlParser implements RecordParser {
  /** Pieces of the line in progress (a line may span many chunks). */
  private pending: string[] = [];
  private pendingChars = 0;
  /** The line in progress is over the limit: its text is dropped as it arrives. */
  private overLimit = false;
  private line = 0;

  constructor(private readonly stringField?: string, private readonly maxChars = MAX_RECORD_CHARS) {}

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      const piece = chunk.slice(start, nl);
      if (this.overLimit || this.pendingChars + piece.length > this.maxChars) this.refuse(out);
      else this.take(this.pending.length > 0 ? this.pending.join('') + piece : piece, out);
      this.pending = [];
      this.pendingChars = 0;
      this.overLimit = false;
      start = nl + 1;
    }
    if (start < chunk.length && !this.overLimit) {
      this.pending.push(chunk.slice(start));
      this.pendingChars += chunk.length - start;
      if (this.pendingChars > this.maxChars) {
        this.overLimit = true;
        this.pending = [];
      }
    }
    return out;
  }

  end(): RawRecord[] {
    const out: RawRecord[] = [];
    if (this.overLimit) this.refuse(out);
    else if (this.pending.length > 0) this.take(this.pending.join(''), out);
    this.pending = [];
    return out;
  }

  private refuse(out: RawRecord[]): void {
    this.line++;
    out.push({ line: this.line, error: `line is ${tooLong(this.maxChars)}` });
  }

  private take(raw: string, out: RawRecord[]): void {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    out.push(jsonRecord(text, this.line, 'line', this.stringField));
  }
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;

/**
 * A top-level JSON array of objects, split into elements without parsing the whole file at once. One pass, linear,
 * with an explicit bracket stack (no recursion, so any nesting depth). A stray or mismatched bracket is reported
 * with its line and the elements around it are still read.
 */
export class JsonArrayParser implements RecordParser {
  private state: 'before' | 'between' | 'element' | 'afterElement' | 'after' | 'broken' = 'before';
  /** Open brackets of the current element, as char codes. */
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private elementError: string | null = null;
  private elementLine = 0;
  private line = 1;
  private index = 0;
  /** Line of the ] that closed the array, to explain text after it. */
  private closedLine = 0;
  private elementChars = 0;

  constructor(private readonly stringField?: string, private readonly maxChars = MAX_RECORD_CHARS) {}

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let runStart = 0; // start of the part of `chunk` that belongs to the current element
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 92) this.escaped = true;
          else if (c === 34) this.inString = false;
          else if (c === 10) {
            // JSON strings cannot hold a raw newline: the string was never closed. Stop reading it as a string so
            // the next elements are still found.
            this.inString = false;
            this.elementError ??= `a string opened before line ${this.line + 1} is not closed on its line`;
          }
        } else if (c === 34) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.stack.push(c);
        else if (c === 125 || c === 93) {
          const open = this.stack.pop();
          if (open === undefined) {
            this.finish(chunk.slice(runStart, i), out);
            if (c === 93) {
              this.state = 'after'; // the closing ] of the top-level array ends the last element
              this.closedLine = this.line;
            } else {
              out.push({ line: this.line, error: `stray "}" after array element ${this.index} (no "{" to close)` });
              this.state = 'afterElement';
            }
          } else if ((open === OPEN_BRACE) !== (c === 125)) {
            this.elementError ??= `${JSON.stringify(String.fromCharCode(c))} on line ${this.line} does not close ${JSON.stringify(String.fromCharCode(open))}`;
          }
        } else if (c === 44 && this.stack.length === 0) {
          this.finish(chunk.slice(runStart, i), out);
          this.state = 'between';
        }
      } else if (this.state === 'before') {
        if (c === OPEN_BRACKET) this.state = 'between';
        else if (!isSpace(c)) {
          out.push({ line: this.line, error: `expected a JSON array ([...]) but found ${JSON.stringify(chunk[i])}` });
          this.state = 'broken';
        }
      } else if (this.state === 'between' || this.state === 'afterElement') {
        if (c === 93 && (this.index === 0 || this.state === 'afterElement')) {
          this.state = 'after';
          this.closedLine = this.line;
        } else if (c === 44 && this.state === 'afterElement') this.state = 'between';
        else if (c === 125 && this.state === 'afterElement') {
          out.push({ line: this.line, error: `stray "}" after array element ${this.index} (no "{" to close)` });
        } else if (!isSpace(c)) {
          if (this.state === 'afterElement') {
            out.push({ line: this.line, error: `expected "," or "]" after array element ${this.index} but found ${JSON.stringify(chunk[i])}` });
          }
          this.startElement();
          runStart = i;
          i--; // re-read this character as part of the element
          continue;
        }
      } else if (this.state === 'after' && !isSpace(c)) {
        if (c === 44) {
          // "], {...}": a stray ] closed the array early; the elements after it are still read.
          out.push({ line: this.closedLine, error: `stray "]" on line ${this.closedLine} closed the JSON array early; reading on after it` });
          this.state = 'between';
        } else {
          out.push({ line: this.line, error: `unexpected ${JSON.stringify(chunk[i])} after the end of the JSON array (closed on line ${this.closedLine})` });
          this.state = 'broken';
        }
      }
      if (c === 10) this.line++;
    }
    if (this.state === 'element') this.keep(chunk.slice(runStart));
    return out;
  }

  end(): RawRecord[] {
    if (this.state === 'element' || this.state === 'between' || this.state === 'afterElement') {
      return [{ line: this.state === 'element' ? this.elementLine : this.line, error: 'the JSON array is not closed (file cut short?)' }];
    }
    if (this.state === 'before') return [{ line: this.line, error: 'empty file: expected a JSON array' }];
    return [];
  }

  /** Element text is kept up to the limit; past it the element is refused, and its brackets are still followed. */
  private keep(text: string): void {
    this.elementChars += text.length;
    if (this.elementChars > this.maxChars) {
      this.parts = [];
      this.elementError ??= `it is ${tooLong(this.maxChars)}`;
    } else this.parts.push(text);
  }

  private startElement(): void {
    this.state = 'element';
    this.elementChars = 0;
    this.parts = [];
    this.stack = [];
    this.inString = false;
    this.escaped = false;
    this.elementError = null;
    this.elementLine = this.line;
  }

  private finish(tail: string, out: RawRecord[]): void {
    this.index++;
    this.keep(tail);
    const text = this.parts.join('').trim();
    this.parts = [];
    this.stack = [];
    const what = `array element ${this.index}`;
    if (this.elementError !== null) out.push({ line: this.elementLine, error: `${what}: ${this.elementError}` });
    else if (text === '') out.push({ line: this.elementLine, error: `${what} is empty (two commas in a row?)` });
    else out.push(jsonRecord(text, this.elementLine, what, this.stringField));
  }
}

/** After this many unclosed quotes re-read from the next line, the rest of the file is given up as one problem. */
const MAX_QUOTE_RECOVERIES = 1000;

/**
 * RFC 4180 CSV: the first record is the header; quoted fields may hold delimiters, "" quotes and newlines. Loose
 * quoting (a quote inside an unquoted field: a"b, x"") is kept as literal text with a note. A quote never closed is
 * reported on its line and the file is read again from the next line, so one typo does not swallow the rest.
 */
export class CsvParser implements RecordParser {
  private header: string[] | null = null;
  private fields: string[] = [];
  private field = '';
  private state: 'start' | 'unquoted' | 'quoted' | 'quote' = 'start';
  private error: string | null = null;
  private notes: string[] = [];
  private line = 1;
  private recordLine = 1;
  private skipLf = false;
  private sawContent = false;
  /** Raw text from the opening quote of the quoted field in progress, to re-read it if the quote never closes. */
  private quoted: { line: number; parts: string[] } | null = null;
  private recoveries = 0;
  private recordChars = 0;

  constructor(private readonly delimiter = ',', private readonly maxChars = MAX_RECORD_CHARS) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new Error(`bad CSV delimiter ${JSON.stringify(delimiter)}`);
  }

  /** Column names once the header has been read. */
  get columns(): string[] | null {
    return this.header;
  }

  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    this.scan(chunk, out);
    return out;
  }

  end(): RawRecord[] {
    const out: RawRecord[] = [];
    while (this.state === 'quoted' && this.quoted) {
      const { line, parts } = this.quoted;
      const raw = parts.join('');
      const nl = raw.indexOf('\n');
      this.quoted = null;
      if (nl < 0 || ++this.recoveries > MAX_QUOTE_RECOVERIES) {
        this.error ??= nl < 0 ? 'a quoted field is not closed before the end of the file'
          : `a quoted field opened on line ${line} is not closed; too many unclosed quotes, the rest of the file was not read`;
        break;
      }
      this.reread(line, raw.slice(nl + 1), out, 'is not closed before the end of the file');
    }
    this.endRecord(out);
    return out;
  }

  /** Reports the record up to the line of the opening quote, then reads `rest` (from the next line) again. */
  private reread(line: number, rest: string, out: RawRecord[], why: string): void {
    out.push({ line: this.recordLine, error: `a quoted field opened on line ${line} ${why}; reading on from line ${line + 1}` });
    this.resetRecord();
    this.quoted = null;
    this.skipLf = false;
    this.line = line + 1;
    this.recordLine = this.line;
    this.scan(rest, out);
  }

  private scan(chunk: string, out: RawRecord[]): void {
    const d = this.delimiter;
    let runStart = -1; // start of a plain run of field characters inside `chunk` (copied in one slice)
    let quotedFrom = 0; // where this chunk's part of an open quoted field starts
    const flushRun = (i: number): void => {
      if (runStart >= 0) {
        this.recordChars += i - runStart;
        if (this.recordChars <= this.maxChars) this.field += chunk.slice(runStart, i);
        else {
          this.field = '';
          this.fields = [];
          this.error ??= `record is ${tooLong(this.maxChars)}`;
        }
      }
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
        const opened = this.quoted;
        this.quoted = null; // closed
        this.state = 'unquoted';
        if (ch !== d && ch !== '\n' && ch !== '\r') {
          // A quoted field that ran over lines into a quote followed by more text was most likely never closed on
          // its own line: the quote paired with one further down. Read again from the line after it opened.
          if (opened && this.line > opened.line && ++this.recoveries <= MAX_QUOTE_RECOVERIES) {
            const raw = opened.parts.join('') + chunk.slice(quotedFrom);
            this.reread(opened.line, raw.slice(raw.indexOf('\n') + 1), out, `is not closed on its line (it pairs with a quote on line ${this.line})`);
            return;
          }
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
        this.quoted = { line: this.line, parts: [] };
        quotedFrom = i;
      } else {
        if (ch === '"' && this.state === 'unquoted') this.noteLooseQuote();
        if (runStart < 0) runStart = i;
        this.state = 'unquoted';
        this.sawContent = true;
      }
    }
    flushRun(chunk.length);
    if (this.quoted) {
      // Kept only to re-read an unclosed quote; a quoted field over the limit is refused anyway.
      if (this.recordChars <= this.maxChars) this.quoted.parts.push(chunk.slice(quotedFrom));
      else this.quoted.parts = [];
    }
  }

  private noteLooseQuote(): void {
    const column = this.header?.[this.fields.length];
    const where = column === undefined ? `field ${this.fields.length + 1}` : `column ${JSON.stringify(column)}`;
    const note = `${where}: a quote inside an unquoted field was kept as a literal character (write "a""b" to quote it)`;
    if (!this.notes.includes(note)) this.notes.push(note);
  }

  private resetRecord(): void {
    this.recordChars = 0;
    this.fields = [];
    this.field = '';
    this.state = 'start';
    this.error = null;
    this.notes = [];
    this.sawContent = false;
  }

  private endRecord(out: RawRecord[]): void {
    const fields = [...this.fields, this.field];
    const line = this.recordLine;
    const blank = !this.sawContent && this.field === '';
    const { error, notes } = this;
    this.quoted = null;
    this.resetRecord();
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
    // defineProperty: a column named "__proto__" is a column like any other, not the object's prototype.
    const value: Record<string, unknown> = {};
    this.header.forEach((name, i) => Object.defineProperty(value, name, { value: fields[i], enumerable: true, writable: true, configurable: true }));
    out.push({ line, value, ...(notes.length > 0 ? { notes } : {}) });
  }
}
