import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeQueryDsl } from '../query-dsl';
import { assignSplits, normalizeQuestion } from '../split';
import { SAMPLE_JSONL, SAMPLE_SCHEMA_JSON, sampleFiles } from './files';
import { SAMPLE_SCHEMA } from './schema';

const dir = join(__dirname, '..', '..', '..', 'public', 'sample');
const committed = (name: string): string => readFileSync(join(dir, name), 'utf8');
const rows = committed(SAMPLE_JSONL).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; question: string; label: string; rationale: string });

describe('built-in sample dataset', () => {
  it('is what the generator writes today (reproducible, committed up to date)', () => {
    const fresh = sampleFiles();
    expect(committed(SAMPLE_JSONL) === fresh[SAMPLE_JSONL], 'public/sample/sales-reports.jsonl is stale: run npm run make:sample').toBe(true);
    expect(committed(SAMPLE_SCHEMA_JSON)).toBe(fresh[SAMPLE_SCHEMA_JSON]);
    expect(JSON.parse(committed(SAMPLE_SCHEMA_JSON))).toEqual(SAMPLE_SCHEMA);
  });

  it('has >= 1000 rows with unique ids and questions and non-empty rationales', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => normalizeQuestion(r.question))).size).toBe(rows.length);
    for (const r of rows) expect(r.rationale).toMatch(/^1\. Fields: .* 2\. Filters: .* 3\. Aggregation: .* 4\. Sort\/size: .*\.$/);
  });

  it('has only labels that validate against the schema', () => {
    const bad = rows
      .map((r) => ({ id: r.id, problems: analyzeQueryDsl(r.label, SAMPLE_SCHEMA).validity.problems }))
      .filter((r) => r.problems.length > 0);
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('covers every clause type the issue lists', () => {
    const used = new Set(rows.flatMap((r) => analyzeQueryDsl(r.label, SAMPLE_SCHEMA).coverage));
    const required = ['match', 'match_phrase', 'multi_match', 'term', 'terms', 'range', 'range.date_math', 'bool', 'bool.must', 'bool.should',
      'bool.filter', 'bool.must_not', 'exists', 'aggs.date_histogram', 'aggs.terms', 'aggs.avg', 'aggs.sum', 'aggs.max', 'aggs.min',
      'aggs.cardinality', 'aggs.sub_aggregations', 'sort', 'size', '_source', 'track_total_hits'];
    expect(required.filter((c) => !used.has(c))).toEqual([]);
    // Relative date windows such as the paper's "last ten years" appear as date math.
    expect(rows.some((r) => r.label.includes('"gte":"now-10y/d"'))).toBe(true);
  });

  it('words questions in many ways', () => {
    const openers = new Set(rows.map((r) => r.question.split(' ').slice(0, 2).join(' ')));
    expect(openers.size).toBeGreaterThan(60);
    // The same label shape is asked in different words: e.g. plain counts.
    const counts = rows.filter((r) => r.label.endsWith('"size":0,"track_total_hits":true}'));
    expect(new Set(counts.map((r) => r.question.split(' ').slice(0, 3).join(' '))).size).toBeGreaterThan(5);
  });

  it('splits 80/20 with seed 42', () => {
    const split = assignSplits(rows);
    const train = rows.filter((r) => split.get(r.id) === 'train');
    expect(train.length / rows.length).toBeGreaterThan(0.76);
    expect(train.length / rows.length).toBeLessThan(0.84);
  });

  it('keeps a question asked twice in one split (sample questions are unique, so the repeats are added here)', () => {
    // Re-worded copies (case, punctuation) under new ids whose own hash would often land in the other split.
    const repeats = rows.slice(0, 200).map((r) => ({ ...r, id: `${r.id}-again`, question: `${r.question.toUpperCase()}!!` }));
    const all = [...rows, ...repeats];
    const split = assignSplits(all);
    const alone = assignSplits(repeats);
    // Without grouping some repeats would land apart from their originals: the check below can fail.
    expect(repeats.some((r, i) => alone.get(r.id) !== split.get(rows[i].id))).toBe(true);
    const trainQ = new Set(all.filter((r) => split.get(r.id) === 'train').map((r) => normalizeQuestion(r.question)));
    expect(all.filter((r) => split.get(r.id) === 'eval' && trainQ.has(normalizeQuestion(r.question)))).toEqual([]);
  });
});
