// Field names in a query, resolved against the task's index schema: exact names, `.keyword` sub-fields of text
// fields that declare one, metadata fields, and wildcard patterns (multi_match fields, _source filters).

import type { IndexField, IndexSchema } from '../records';

export type FieldKind = 'text' | 'keyword' | 'numeric' | 'date' | 'boolean' | 'nested' | 'object' | 'other';

export interface ResolvedField {
  name: string;
  kind: FieldKind;
  /** The schema entry (for a .keyword sub-field: the text field it belongs to). */
  field: IndexField;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const KEYWORD = new Set(['keyword', 'constant_keyword', 'wildcard', 'ip']);

export function kindOfType(type: string): FieldKind {
  if (NUMERIC.has(type)) return 'numeric';
  if (KEYWORD.has(type)) return 'keyword';
  if (type === 'text' || type === 'match_only_text') return 'text';
  if (type === 'date' || type === 'date_nanos') return 'date';
  if (type === 'boolean') return 'boolean';
  if (type === 'nested') return 'nested';
  if (type === 'object') return 'object';
  return 'other';
}

const METADATA: IndexField[] = [
  { name: '_id', type: 'keyword', description: 'document id' },
  { name: '_index', type: 'keyword', description: 'index name' },
  { name: '_routing', type: 'keyword', description: 'routing value' },
  { name: '_seq_no', type: 'long', description: 'sequence number (random_score seeds on it)' },
  { name: '_ignored', type: 'keyword', description: 'fields ignored as malformed' },
];

/** Levenshtein distance, for "did you mean" hints; stops early (returning max + 1) once it must exceed `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  const prev = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(up + 1, prev[j - 1] + 1, diag + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      diag = up;
      if (prev[j] < rowMin) rowMin = prev[j];
    }
    if (rowMin > max) return max + 1;
  }
  return prev[b.length];
}

/** Names longer than this get no "did you mean" hint: no real parameter or field name is that long. */
const MAX_HINT_LENGTH = 64;

/**
 * The closest candidate within a small edit distance, formatted as a hint, or ''. Bounded work: long names are
 * skipped, and so are candidates whose length alone puts them out of reach.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  if (word.length > MAX_HINT_LENGTH) return '';
  const limit = Math.max(2, Math.floor(word.length / 3));
  const w = word.toLowerCase();
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - w.length) > limit) continue;
    const d = editDistance(w, c.toLowerCase(), Math.min(limit, bestD));
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}

/**
 * Whether `name` matches a pattern where * stands for any run of characters. Two pointers with one backtrack point
 * (no regular expression), so a pattern full of stars costs O(pattern x name) at worst, never exponential time.
 */
export function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.length && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export class FieldResolver {
  private readonly byName = new Map<string, IndexField>();

  constructor(readonly schema: IndexSchema) {
    for (const f of [...METADATA, ...schema.fields]) this.byName.set(f.name, f);
  }

  /** Every name a query may use: the schema's fields and their .keyword sub-fields. */
  allNames(): string[] {
    const names: string[] = [];
    for (const f of this.schema.fields) {
      names.push(f.name);
      if (f.keywordSubfield) names.push(`${f.name}.keyword`);
    }
    return names;
  }

  /** Resolves a concrete field name, or returns the reason it is not in the schema. */
  resolve(name: string): ResolvedField | { error: string } {
    const direct = this.byName.get(name);
    if (direct) return { name, kind: kindOfType(direct.type), field: direct };
    if (name.endsWith('.keyword')) {
      const base = this.byName.get(name.slice(0, -'.keyword'.length));
      if (base?.keywordSubfield) return { name, kind: 'keyword', field: base };
      if (base) {
        return kindOfType(base.type) === 'keyword'
          ? { error: `"${base.name}" is already a keyword field: use "${base.name}", it has no .keyword sub-field` }
          : { error: `"${base.name}" (${base.type}) has no .keyword sub-field in index "${this.schema.index}"` };
      }
    }
    return { error: `unknown field "${name}" in index "${this.schema.index}"${didYouMean(name, this.allNames())}` };
  }

  /** Names matching a pattern with * wildcards (an exact name matches itself). */
  matchPattern(pattern: string): string[] {
    if (!pattern.includes('*')) return 'error' in this.resolve(pattern) ? [] : [pattern];
    return this.allNames().filter((n) => globMatches(pattern, n));
  }
}
