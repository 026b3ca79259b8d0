import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../records';
import { analyzeQueryDsl, canonicalJson, checkDateValue, clauseCoverage, parseJson, sameQuery, validateQueryDsl } from './index';

const schema: IndexSchema = {
  index: 'sales',
  description: 'test index',
  fields: [
    { name: 'date', type: 'date', description: 'sale date' },
    { name: 'region', type: 'keyword', description: 'region' },
    { name: 'product_name', type: 'text', description: 'product', keywordSubfield: true },
    { name: 'notes', type: 'text', description: 'free text' },
    { name: 'amount', type: 'double', description: 'amount' },
    { name: 'quantity', type: 'integer', description: 'units' },
    { name: 'returned', type: 'boolean', description: 'returned?' },
    { name: 'items', type: 'nested', description: 'line items' },
    { name: 'items.sku', type: 'keyword', description: 'sku' },
  ],
};

const problemsOf = (q: unknown): { path: string; message: string }[] =>
  validateQueryDsl(typeof q === 'string' ? q : JSON.stringify(q), schema).problems.map(({ path, message }) => ({ path, message }));
const pathsOf = (q: unknown): string[] => problemsOf(q).map((p) => p.path);

describe('parseJson', () => {
  it('reports line and column of a syntax error', () => {
    const r = parseJson('{\n  "query": {\n    "match": {"notes": "x",}\n  }\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.position).toEqual({ offset: 42, line: 3, column: 28 });
    expect(r.error.message).toMatch(/trailing comma.*line 3, column 28/);
  });

  it('rejects what JSON.parse rejects and records offsets and duplicate keys', () => {
    for (const bad of ['', '{', "{'a': 1}", '[1,]', '01', '{"a" 1}', '"\\x"', 'tru', '{"a":1} x', '1.', '"a\nb"']) {
      expect(parseJson(bad).ok, bad).toBe(false);
      expect(() => JSON.parse(bad), bad).toThrow();
    }
    const r = parseJson('{"a": [1, {"b c": -2.5e3}], "a": "\\u00e9\\n"}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual(JSON.parse('{"a": [1, {"b c": -2.5e3}], "a": "\\u00e9\\n"}'));
    expect(r.offsets.get('$.a[1]["b c"]')).toBe(18);
    expect(r.duplicateKeys).toEqual(['$.a']);
  });

  it('reads a "__proto__" key as data, like JSON.parse, never as the prototype', () => {
    const text = '{"__proto__": {"polluted": 1}, "size": 0}';
    const r = parseJson(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__', 'size']);
    expect(JSON.stringify(v)).toBe(JSON.stringify(JSON.parse(text)));
  });
});

describe('validateQueryDsl', () => {
  it('accepts a request using the common clauses, aggregations, sort and _source', () => {
    const q = {
      query: {
        bool: {
          must: [{ match: { notes: { query: 'late delivery', operator: 'and' } } }, { match_phrase: { product_name: 'desk lamp' } }],
          filter: [
            { term: { region: 'Europe' } },
            { terms: { 'product_name.keyword': ['A', 'B'] } },
            { range: { date: { gte: 'now-10y/d', lt: 'now/d' } } },
            { range: { amount: { gt: 100, lte: '500' } } },
            { exists: { field: 'notes' } },
          ],
          should: [{ multi_match: { query: 'lamp', fields: ['product_name^2', 'notes'] } }, { prefix: { region: 'Eu' } }],
          minimum_should_match: 1,
          must_not: [{ term: { returned: true } }, { wildcard: { 'product_name.keyword': { value: 'X*' } } }],
        },
      },
      aggs: {
        per_year: {
          date_histogram: { field: 'date', calendar_interval: 'year', extended_bounds: { min: 'now-10y/y', max: 'now/y' } },
          aggs: {
            by_region: { terms: { field: 'region', size: 5, order: { total: 'desc' } }, aggs: { total: { sum: { field: 'amount' } } } },
            avg_q: { avg: { field: 'quantity' } },
            latest: { max: { field: 'date' } },
            products: { cardinality: { field: 'product_name.keyword' } },
          },
        },
        cheapest: { min: { field: 'amount' } },
      },
      sort: [{ date: { order: 'desc' } }, { amount: 'asc' }, '_score'],
      size: 10,
      from: 0,
      _source: ['date', 'region', 'product_*'],
      track_total_hits: true,
    };
    expect(problemsOf(q)).toEqual([]);
    expect(clauseCoverage(JSON.stringify(q))).toEqual([
      '_source', 'aggs.avg', 'aggs.cardinality', 'aggs.date_histogram', 'aggs.max', 'aggs.min', 'aggs.sub_aggregations', 'aggs.sum',
      'aggs.terms', 'bool', 'bool.filter', 'bool.must', 'bool.must_not', 'bool.should', 'exists', 'from', 'match', 'match_phrase',
      'multi_match', 'prefix', 'query', 'range', 'range.date_math', 'size', 'sort', 'term', 'terms', 'track_total_hits', 'wildcard',
    ]);
  });

  it('reports a parse error with its position and parses=false', () => {
    const v = validateQueryDsl('{"query": {"match_all": {}}', schema);
    expect(v.parses).toBe(false);
    expect(v.valid).toBe(false);
    expect(v.problems[0].path).toBe('$');
    expect(v.problems[0].position).toEqual({ offset: 27, line: 1, column: 28 });
  });

  it('names unknown fields, clauses and parameters by JSON path, with hints', () => {
    const p = problemsOf({
      query: { bool: { filter: [{ term: { regoin: 'Europe' } }, { mtach: { notes: 'x' } }, { range: { date: { gte: 'now-1y', lessthan: 3 } } }] } },
      size: 5,
      colour: 'red',
    });
    expect(p.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: '$.query.bool.filter[0].term.regoin', message: 'unknown field "regoin" in index "sales" (did you mean "region"?)' },
      { path: '$.query.bool.filter[1].mtach', message: 'unknown query type "mtach" (did you mean "match"?)' },
      { path: '$.query.bool.filter[2].range.date.lessthan', message: 'unknown parameter "lessthan" in range' },
      { path: '$.colour', message: 'unknown parameter "colour" in the search request' },
    ].sort((a, b) => a.path.localeCompare(b.path)));
  });

  it('checks .keyword sub-fields against the schema', () => {
    expect(problemsOf({ query: { term: { 'product_name.keyword': 'Lamp' } } })).toEqual([]);
    expect(problemsOf({ query: { term: { 'region.keyword': 'Europe' } } })[0].message).toMatch(/already a keyword field/);
    expect(problemsOf({ query: { term: { 'notes.keyword': 'x' } } })[0].message).toMatch(/has no .keyword sub-field/);
  });

  it('checks date math and numeric bounds by field type', () => {
    for (const ok of ['now', 'now-10y/d', 'now+1M-2d/M', '2024-01-31', '2024-01-31T10:20:30Z', '2024-01-31||+1M/d', '2024', 1700000000000]) {
      expect(checkDateValue(ok), String(ok)).toBeNull();
    }
    for (const bad of ['now-10 years', 'now-10Y', 'yesterday', '2024-13-01', 'now/dd', '31/01/2024', 'now-10y/d/d', 1.5, true]) {
      expect(checkDateValue(bad), String(bad)).not.toBeNull();
    }
    expect(pathsOf({ query: { range: { date: { gte: 'now-ten-years' } } } })).toEqual(['$.query.range.date.gte']);
    expect(pathsOf({ query: { range: { amount: { gte: 'lots' } } } })).toEqual(['$.query.range.amount.gte']);
    expect(pathsOf({ query: { range: { date: { gte: '31/01/2024', format: 'dd/MM/yyyy' } } } })).toEqual([]);
    expect(problemsOf({ query: { range: { date: {} } } })[0].message).toMatch(/at least one of gt, gte, lt, lte/);
  });

  it('enforces aggregation rules OpenSearch enforces', () => {
    expect(problemsOf({ aggs: { t: { terms: { field: 'notes' } } } })[0].message).toMatch(/text field "notes" is not allowed/);
    expect(problemsOf({ aggs: { t: { terms: { field: 'product_name' } } } })[0].message).toMatch(/use "product_name.keyword"/);
    expect(problemsOf({ aggs: { a: { avg: { field: 'region' } } } })[0].message).toMatch(/needs a numeric or date or boolean field/);
    expect(problemsOf({ aggs: { a: { avg: { field: 'amount' }, aggs: { b: { max: { field: 'amount' } } } } } })[0].message).toMatch(/cannot have sub-aggregations/);
    expect(problemsOf({ aggs: { h: { date_histogram: { field: 'date' } } } })[0].message).toMatch(/exactly one of "calendar_interval"/);
    expect(pathsOf({ aggs: { h: { date_histogram: { field: 'date', calendar_interval: '2M' } } } })).toEqual(['$.aggs.h.date_histogram.calendar_interval']);
    expect(pathsOf({ aggs: { h: { date_histogram: { field: 'amount', fixed_interval: '30d' } } } })).toEqual(['$.aggs.h.date_histogram.field']);
    expect(problemsOf({ aggs: { x: { terms: { field: 'region' }, avg: { field: 'amount' } } } })[0].message).toMatch(/exactly one type/);
    expect(problemsOf({ aggs: { x: { trems: { field: 'region' } } } })[0].message).toMatch(/did you mean "terms"/);
    expect(problemsOf({ aggs: { n: { nested: { path: 'items' }, aggs: { s: { terms: { field: 'items.sku' } } } } } })).toEqual([]);
    expect(problemsOf({ aggs: { n: { nested: { path: 'region' } } } })[0].message).toMatch(/not a nested field/);
  });

  it('checks shapes: single-clause queries, term values, sort, _source, size', () => {
    expect(problemsOf({ query: { term: { region: 'a' }, match: { notes: 'b' } } })[0].message).toMatch(/exactly one clause/);
    expect(problemsOf({ query: { term: { region: ['a', 'b'] } } })[0].message).toMatch(/use terms/);
    expect(problemsOf({ query: { terms: { region: [] } } })[0].message).toMatch(/non-empty array/);
    expect(problemsOf({ query: { match: { notes: { operator: 'and' } } } })[0].message).toMatch(/needs "query"/);
    expect(pathsOf({ sort: [{ notes: 'desc' }] })).toEqual(['$.sort[0].notes']);
    expect(pathsOf({ sort: [{ date: 'down' }] })).toEqual(['$.sort[0].date']);
    expect(pathsOf({ _source: ['date', 'nothing_*'] })).toEqual(['$._source[1]']);
    expect(pathsOf({ _source: { includes: ['region'], excludes: 'notes' } })).toEqual([]);
    expect(pathsOf({ size: -1, from: 1.5 })).toEqual(['$.size', '$.from']);
    expect(problemsOf([1])[0].message).toMatch(/must be an object/);
    expect(problemsOf('{"size": 1, "size": 2}')[0].message).toMatch(/duplicate key/);
  });

  it('gives each problem the line and column of the offending value', () => {
    const text = '{\n  "query": {\n    "term": {\n      "regoin": "Europe"\n    }\n  }\n}';
    const [p] = validateQueryDsl(text, schema).problems;
    expect(p.path).toBe('$.query.term.regoin');
    expect(p.position).toMatchObject({ line: 4, column: 17 });
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson('{ "b": [2, 1], "a": {"y": 1, "x": "é"} }')).toBe('{"a":{"x":"é","y":1},"b":[2,1]}');
    expect(sameQuery('{"size":0,"query":{"match_all":{}}}', '{\n "query": {"match_all": {}},\n "size": 0\n}')).toBe(true);
    expect(sameQuery('{"sort":["a","b"]}', '{"sort":["b","a"]}')).toBe(false);
    expect(sameQuery('{', '{')).toBe(false);
    expect(analyzeQueryDsl('{"size": 0}', null).coverage).toEqual(['size']);
  });
});
