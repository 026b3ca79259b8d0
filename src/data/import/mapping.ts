// Column mapping: which input column holds the question, the label (Query DSL) and the rationale. Auto-detected
// from common names (the paper's prompt/dsl/rationale, question/label/rationale, input/output...); a user mapping
// overrides any of them.

export interface ColumnMapping {
  question: string;
  label: string;
  rationale: string;
  /** Optional column with a row id to keep. */
  id?: string;
}

const CANDIDATES: Record<keyof ColumnMapping, string[]> = {
  question: ['question', 'prompt', 'nl', 'nl_query', 'natural_language', 'input', 'query_text', 'instruction', 'text', 'utterance'],
  label: ['label', 'dsl', 'query_dsl', 'querydsl', 'query', 'output', 'target', 'answer', 'completion', 'json'],
  rationale: ['rationale', 'explanation', 'reasoning', 'chain_of_thought', 'cot', 'thought', 'thoughts'],
  id: ['id', 'row_id', 'uid', '_id'],
};

const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** Best guess for each role among `columns`; roles without a match are absent. */
export function detectMapping(columns: string[]): Partial<ColumnMapping> {
  const out: Partial<ColumnMapping> = {};
  const taken = new Set<string>();
  for (const role of ['question', 'label', 'rationale', 'id'] as const) {
    for (const name of CANDIDATES[role]) {
      const hit = columns.find((c) => norm(c) === name && !taken.has(c));
      if (hit !== undefined) {
        out[role] = hit;
        taken.add(hit);
        break;
      }
    }
  }
  return out;
}

/** Detected mapping with the user's choices on top. */
export function resolveMapping(columns: string[], user: Partial<ColumnMapping> = {}): Partial<ColumnMapping> {
  const merged: Partial<ColumnMapping> = { ...detectMapping(columns) };
  for (const [k, v] of Object.entries(user) as [keyof ColumnMapping, string | undefined][]) if (v !== undefined) merged[k] = v;
  return merged;
}
