// Splits JSON text into typed pieces for syntax highlighting. The pieces are rendered as React text nodes (never as
// HTML), and the tokenizer is tolerant: malformed labels still highlight up to and past the broken spot.

import { parseJson } from '../../data/query-dsl/json-parse';

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'space' | 'other';

export interface JsonToken {
  kind: JsonTokenKind;
  text: string;
  /** Offset of the token in the text. */
  start: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /(?:true|false|null)\b/y;
const SPACE = /\s+/y;

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if (c === '\n') return i; // unterminated on this line: stop here so the rest still highlights
  }
  return text.length;
}

export function tokenizeJson(text: string): JsonToken[] {
  const out: JsonToken[] = [];
  let i = 0;
  const push = (kind: JsonTokenKind, end: number) => {
    out.push({ kind, text: text.slice(i, end), start: i });
    i = end;
  };
  const sticky = (re: RegExp): number => {
    re.lastIndex = i;
    return re.test(text) ? re.lastIndex : -1;
  };
  while (i < text.length) {
    const c = text[i];
    let end: number;
    if ((end = sticky(SPACE)) > 0) push('space', end);
    else if (c === '"') {
      end = stringEnd(text, i);
      // A string followed by ':' is an object key.
      let j = end;
      while (j < text.length && /\s/.test(text[j])) j++;
      push(text[j] === ':' ? 'key' : 'string', end);
    } else if ('{}[],:'.includes(c)) push('punct', i + 1);
    else if ((end = sticky(NUMBER)) > 0) push('number', end);
    else if ((end = sticky(LITERAL)) > 0) push('literal', end);
    else {
      // Anything else (single quotes, bare words, trailing commentary): up to the next structural character.
      let j = i + 1;
      while (j < text.length && !'{}[],:"'.includes(text[j]) && !/\s/.test(text[j])) j++;
      push('other', j);
    }
  }
  return out;
}

/**
 * Two-space pretty print when the text parses, else the text unchanged (so error positions still match). A label
 * with a repeated key is also shown as written: re-serialising would keep only the last value and hide the problem.
 */
export function prettyJson(text: string): { text: string; parses: boolean } {
  const parsed = parseJson(text);
  if (!parsed.ok) return { text, parses: false };
  if (parsed.duplicateKeys.length > 0) return { text, parses: true };
  return { text: JSON.stringify(JSON.parse(text), null, 2), parses: true };
}
