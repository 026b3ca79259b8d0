// The teacher prompt, in the paper's three parts: (1) how to write OpenSearch Query DSL, (2) the index schema with a
// line per field, (3) a chain-of-thought instruction asking for a short rationale and then the JSON; then the question.
// The template is plain text with {{schema}} and {{question}} placeholders so users can edit it in the studio.
import type { IndexSchema } from '../records';

export const DEFAULT_PROMPT_TEMPLATE = `You write OpenSearch Query DSL.
Rules:
- Answer with one JSON object that can be sent as the body of a _search request.
- Use only the fields listed in the schema. For exact matches and aggregations on text fields use their .keyword sub-field.
- Use "match" for free text, "term"/"terms" for exact values, "range" with gte/lte/gt/lt for numbers and dates
  (date math such as "now-10y/y" is allowed), "exists" for presence, and "bool" with must/should/filter/must_not to
  combine clauses.
- For "how many", "per", "over time" and "top" questions use aggregations (terms, date_histogram, avg, sum, min, max,
  cardinality), set "size": 0 when only the aggregation is needed, and use sort/size for "latest", "largest", "top N".

Index schema:
{{schema}}

Think step by step. First write "Rationale:" and a short step-by-step explanation (identify the fields, build the
filters, build the aggregation, choose sort and size). Then write "Query:" followed by the JSON in a \`\`\`json code block.
Write nothing after the code block.

Question: {{question}}`;

/** One line per field: "- name (type, .keyword): description". */
export function formatSchema(schema: IndexSchema): string {
  const head = `Index "${schema.index}"${schema.description ? `: ${schema.description}` : ''}`;
  const lines = schema.fields.map((f) => `- ${f.name} (${f.type}${f.keywordSubfield ? ', has .keyword' : ''})${f.description ? `: ${f.description}` : ''}`);
  return [head, ...lines].join('\n');
}

export const PLACEHOLDERS = ['{{schema}}', '{{question}}'] as const;

/** Placeholders the template lacks; the UI warns about these before a run. */
export function missingPlaceholders(template: string): string[] {
  return PLACEHOLDERS.filter((p) => !template.includes(p));
}

/**
 * Fill the template. Replacement is literal (a "$&" in a question stays "$&"), and a question containing
 * "{{schema}}" is not expanded again because the schema and question are substituted in one pass.
 */
export function renderPrompt(template: string, schema: IndexSchema, question: string): string {
  const values: Record<string, string> = { '{{schema}}': formatSchema(schema), '{{question}}': question.trim() };
  return template.replace(/\{\{(schema|question)\}\}/g, (m) => values[m] ?? m);
}
