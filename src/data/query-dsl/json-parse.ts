// A strict JSON parser (RFC 8259) that says where things are: syntax errors carry line/column/offset, and every value
// parsed records its start offset under its JSON path, so validation problems can point into the label text.
// JSON.parse cannot do either portably (its messages differ between engines), and duplicate keys, which OpenSearch
// rejects, are silently merged by it.

import type { TextPosition } from '../records';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonSyntaxError {
  message: string;
  position: TextPosition;
}

export type JsonParseResult =
  | {
      ok: true;
      value: JsonValue;
      /** Start offset of every value, keyed by JSON path ("$", "$.query", "$.sort[0]"). */
      offsets: Map<string, number>;
      /** Paths of object keys that appear twice in the same object (the later one wins, as in JSON.parse). */
      duplicateKeys: string[];
    }
  | { ok: false; error: JsonSyntaxError };

/** Path of `key` inside the object at `parent`: dot form for identifiers, bracket form otherwise. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Line and column (both 1-based) of a 0-based offset. */
export function positionAt(text: string, offset: number): TextPosition {
  return lineIndex(text)(offset);
}

/**
 * Positions of many offsets in one text: the line starts are found once (one pass over the text), then each
 * offset is a binary search, so thousands of problems in a long label cost no more than one scan.
 */
export function lineIndex(text: string): (offset: number) => TextPosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/** Deepest nesting of arrays and objects accepted; deeper input is refused with a message, never a stack overflow. */
export const MAX_JSON_DEPTH = 512;

const ESCAPES = new Map([['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']]);
// Sticky, so it matches at the cursor without copying the rest of the text; no length cap, so a valid number of any
// length parses (whether its value fits the parameter is the validator's business).
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Offset of the first bracket that opens level MAX_JSON_DEPTH + 1, or -1. One pass, skipping strings, so input
 * nested too deep is refused before any path is built (paths grow with depth: building them all would be quadratic).
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return -1;
}

export function parseJson(text: string): JsonParseResult {
  const offsets = new Map<string, number>();
  const duplicateKeys: string[] = [];
  let i = 0;

  const describe = (at: number): string =>
    at >= text.length ? 'end of input' : `character ${JSON.stringify(text[at])}`;
  const fail = (message: string, at = i): never => {
    throw new SyntaxFailure(message, at);
  };
  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const expect = (ch: string, what: string): void => {
    if (text[i] !== ch) fail(`expected ${what} but found ${describe(i)}`);
    i++;
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character inside a string (escape it, e.g. \\n)');
      if (c === 92) {
        out += text.slice(runStart, i);
        const e = text[i + 1];
        const simple = e === undefined ? undefined : ESCAPES.get(e);
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape: expected 4 hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          fail(`bad escape \\${e ?? ''} in string`);
        }
        runStart = i;
        continue;
      }
      i++;
    }
  };

  const parseNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(`unexpected ${describe(i)}`);
    const s = m[0];
    const after = text[i + s.length];
    if (after !== undefined && /[0-9.eE+\-]/.test(after)) fail(`malformed number near ${JSON.stringify(text.slice(i, Math.min(i + s.length + 1, i + 40)))}`);
    i += s.length;
    return Number(s);
  };

  const parseValue = (path: string, depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    skipSpace();
    offsets.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [key: string]: JsonValue } = {};
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before }' : `expected a "quoted" key but found ${describe(i)}`);
        const key = parseString();
        const keyPath = childPath(path, key);
        if (seen.has(key)) duplicateKeys.push(keyPath);
        seen.add(key);
        skipSpace();
        expect(':', '":" after the key');
        // defineProperty, not assignment: a "__proto__" key must be data, as in JSON.parse, not set the prototype.
        Object.defineProperty(obj, key, { value: parseValue(keyPath, depth + 1), enumerable: true, writable: true, configurable: true });
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected "," or "}" but found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        skipSpace();
        if (text[i] === ']') fail('trailing comma before ]');
        arr.push(parseValue(childPath(path, arr.length), depth + 1));
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected "," or "]" but found ${describe(i)}`);
      }
    }
    if (c === '"') return parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === "'") return fail('strings must use double quotes');
    return fail(`unexpected ${describe(i)}`);
  };

  try {
    const deep = tooDeepAt(text);
    if (deep !== -1) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`, deep);
    const value = parseValue('$', 0);
    skipSpace();
    if (i < text.length) fail(`unexpected ${describe(i)} after the JSON value`);
    return { ok: true, value, offsets, duplicateKeys };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    const position = positionAt(text, e.offset);
    return { ok: false, error: { message: `${e.message} (line ${position.line}, column ${position.column})`, position } };
  }
}
