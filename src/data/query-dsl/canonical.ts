// Canonical JSON for exact-match comparison of labels: object keys sorted (code-point order), no whitespace,
// numbers and strings as JSON.stringify writes them. Array order is kept: it matters in sort, bool clause lists
// and _source includes.

import { parseJson, type JsonValue } from './json-parse';

export function canonicalize(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Canonical form of a JSON text, or null when it does not parse. */
export function canonicalJson(text: string): string | null {
  const parsed = parseJson(text);
  return parsed.ok ? canonicalize(parsed.value) : null;
}

/** True when both texts parse and are the same JSON up to key order and whitespace. */
export function sameQuery(a: string, b: string): boolean {
  const ca = canonicalJson(a);
  return ca !== null && ca === canonicalJson(b);
}
