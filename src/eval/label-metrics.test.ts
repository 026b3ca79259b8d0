// Label and rationale metrics per sample and over a set; expected values are counted by hand from the definitions.
import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../data/records';
import { sentenceBleu } from './bleu';
import { jsonDiff } from './json-diff';
import { scoreSample, summarize, type EvalSampleInput } from './label-metrics';

const schema: IndexSchema = {
  index: 'sales',
  description: 'test index',
  fields: [
    { name: 'region', type: 'keyword', description: '' },
    { name: 'amount', type: 'double', description: '' },
  ],
};

const sample = (label: string, prediction: string, extra: Partial<EvalSampleInput> = {}): EvalSampleInput => ({ id: 'r1', question: 'q', label, prediction, ...extra });

describe('jsonDiff', () => {
  it('reports added, removed and changed paths; key order and number spelling do not count', () => {
    const ref = { query: { term: { region: 'eu' } }, size: 10, sort: [{ amount: 'desc' }, 'x'] };
    const pred = { size: 10.0, query: { term: { region: 'us' }, boost: 2 }, sort: [{ amount: 'desc' }] };
    expect(jsonDiff(ref, pred)).toEqual([
      { path: '$.query.term.region', kind: 'changed', before: 'eu', after: 'us' },
      { path: '$.query.boost', kind: 'added', after: 2 },
      { path: '$.sort[1]', kind: 'removed', before: 'x' },
    ]);
    expect(jsonDiff({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: '$.a', kind: 'changed', before: [1], after: { 0: 1 } }]);
    expect(jsonDiff({ 'a b': 1 }, {})).toEqual([{ path: '$["a b"]', kind: 'removed', before: 1 }]);
  });
});

describe('scoreSample', () => {
  it('exact match ignores key order, whitespace and number spelling', () => {
    const s = scoreSample(sample('{"size": 10, "query": {"term": {"region": "eu"}}}', '{"query":{"term":{"region":"eu"}},"size":1e1}'), schema);
    expect(s).toMatchObject({ parses: true, valid: true, exact: true, diff: [] });
  });

  it('a parsing but invalid label: unknown field against the schema, with a diff', () => {
    const s = scoreSample(sample('{"query":{"term":{"region":"eu"}}}', '{"query":{"term":{"regoin":"eu"}}}'), schema);
    expect(s.parses).toBe(true);
    expect(s.valid).toBe(false);
    expect(s.exact).toBe(false);
    expect(s.problems.length).toBeGreaterThan(0);
    expect(s.diff?.map((d) => `${d.kind} ${d.path}`)).toEqual(['removed $.query.term.region', 'added $.query.term.regoin']);
    // Without a schema the same label is structurally valid.
    expect(scoreSample(sample('{"query":{"term":{"region":"eu"}}}', '{"query":{"term":{"regoin":"eu"}}}'), null).valid).toBe(true);
  });

  it('text that is not JSON: no diff, not valid, BLEU still counts its words', () => {
    const s = scoreSample(sample('{"size":10}', '{"size":10'), null);
    expect(s).toMatchObject({ parses: false, valid: false, exact: false, diff: null });
    // 13a words: { " size " : 10 vs { " size " : 10 }: all 6+5+4+3 n-grams match; BP = exp(1 - 7/6).
    expect(s.labelBleu).toBeCloseTo(100 * Math.exp(1 - 7 / 6), 9);
    // One deletion in 7 reference words.
    expect(s.labelTer).toBeCloseTo(100 / 7, 9);
  });

  it('rationale BLEU only when both rationales exist', () => {
    expect(scoreSample(sample('{}', '{}'), null).rationaleBleu).toBeNull();
    const s = scoreSample(sample('{}', '{}', { rationale: 'filter by region eu', predictedRationale: 'filter by region us' }), null);
    expect(s.rationaleBleu).toBeCloseTo(sentenceBleu('filter by region us', 'filter by region eu').score, 12);
  });
});

describe('summarize', () => {
  it('rates over samples and corpus BLEU/TER from summed statistics', () => {
    const scores = [
      scoreSample(sample('{"size":10}', '{"size":10}'), null),
      scoreSample(sample('{"size":10}', '{"size":5}'), null),
      scoreSample(sample('{"size":10}', 'size 10'), null),
      scoreSample(sample('{"size":10}', '{"size":-1}'), null),
    ];
    const sum = summarize(scores);
    expect(sum.samples).toBe(4);
    expect(sum.exactMatch).toBe(0.25);
    expect(sum.jsonValidity).toBe(0.75);
    // size -1 is refused by the validator.
    expect(sum.dslValidity).toBe(0.5);
    expect(sum.rationaleBleu).toBeNull();
    // TER edits against { " size " : 10 } (7 words each): 0; 1 (5 for 10); 5 ("size 10" lacks { " " : });
    // 1 ("-1" is one tercom word: a dash splits only after a digit).
    expect(scores.map((s) => s.stats.ter.edits)).toEqual([0, 1, 5, 1]);
    expect(sum.labelTer).toBeCloseTo((100 * 7) / 28, 9);
  });
});

describe('validator plugins', () => {
  it('plugin syntax is valid only when the cluster has the plugin', () => {
    const knn = '{"query":{"knn":{"embedding":{"vector":[1,2],"k":3}}}}';
    expect(scoreSample(sample(knn, knn), null).valid).toBe(false);
    expect(scoreSample(sample(knn, knn), null, { plugins: ['knn'] }).valid).toBe(true);
  });
});
