// Regressions from fuzzing the validator (issue 16): prototype-member names, int parameters, long numbers, many
// problems, huge names, deep nesting; and the parameter rules the documentation showed to be wrong (issue 15).

import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../records';
import { analyzeQueryDsl, parseJson, MAX_JSON_DEPTH } from './index';

const schema: IndexSchema = {
  index: 'sales',
  description: 'test index',
  fields: [
    { name: 'date', type: 'date', description: 'sale date' },
    { name: 'region', type: 'keyword', description: 'region' },
    { name: 'amount', type: 'double', description: 'amount' },
    { name: 'location', type: 'geo_point', description: 'store' },
  ],
};
const check = (body: unknown, s: IndexSchema | null = null, plugins?: string[]) =>
  analyzeQueryDsl(typeof body === 'string' ? body : JSON.stringify(body), s, { plugins }).validity;
const messages = (body: unknown, s: IndexSchema | null = null) => check(body, s).problems.map((p) => p.message);

/** CPU milliseconds `f` takes in this process: wall time would measure the other jobs sharing the machine. */
const cpuMs = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('names that are Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('"%s" is an unknown query type, aggregation type, parameter and key, never a crash', (name) => {
    const q = `{"query":{${JSON.stringify(name)}:{"x":1}}}`;
    expect(() => check(q)).not.toThrow();
    expect(check(q).valid).toBe(false);
    expect(messages(q)).toEqual([expect.stringMatching(new RegExp(`^unknown query type "${name}"`))]);
    expect(messages({ aggs: { a: { [name]: {} } } })[0]).toMatch(/^unknown aggregation type/);
    expect(messages({ query: { match_all: { [name]: 1 } } })[0]).toMatch(/^unknown parameter/);
    expect(messages({ [name]: 1 })[0]).toMatch(/^unknown parameter .* in the search request/);
    expect(messages({ query: { range: { date: { [name]: 1, gte: 'now' } } } })[0]).toMatch(/^unknown parameter/);
    expect(messages({ sort: [{ _script: { [name]: 1, script: 's', type: 'number' } }] })[0]).toMatch(/^unknown parameter/);
    expect(messages({ query: { term: { [name]: 'x' } } }, schema)[0]).toMatch(/^unknown field/);
    expect(check({ query: { match_all: {} } }, null, [name]).valid).toBe(true);
  });
});

describe('int parameters', () => {
  it('refuses size/from that OpenSearch cannot read as an int, and negative ones', () => {
    for (const bad of ['1.2e29', '1e308', '2147483648', '-1', '1.5', '"ten"', 'true']) {
      for (const key of ['size', 'from']) {
        const v = check(`{"${key}": ${bad}}`);
        expect(v.parses, bad).toBe(true);
        expect(v.problems.map((p) => p.message), bad).toEqual([expect.stringMatching(new RegExp(`"${key}" must be a whole number from 0 to 2147483647`))]);
      }
    }
    expect(check('{"size": 2147483647, "from": 0}').valid).toBe(true);
    expect(check('{"size": "10"}').valid).toBe(true); // OpenSearch coerces numeric strings
    expect(check({ aggs: { t: { terms: { field: 'region', size: 1e20 } } } }).valid).toBe(false);
  });

  it('parses valid numbers of any length, then judges the value', () => {
    const big = `1${'0'.repeat(500)}`;
    const v = check(`{"size": ${big}}`);
    expect(v.parses).toBe(true);
    expect(v.problems[0].message).toMatch(/whole number/);
    expect(check(`{"query": {"term": {"n": ${big}.5e-3}}}`).valid).toBe(true);
    expect(parseJson(`[${'9'.repeat(5000)}]`).ok).toBe(true);
    expect(parseJson(`[${'9'.repeat(5000)}.]`).ok).toBe(false);
  });
});

describe('cost stays linear', () => {
  it('gives 50,000 bad terms values their positions fast', () => {
    const text = `{"query":{"terms":{"region":[\n${Array(50_000).fill('{}').join(',\n')}\n]}}}`;
    let v = check('{}');
    const ms = cpuMs(() => (v = check(text)));
    expect(v.problems).toHaveLength(50_000);
    expect(v.problems[49_999].position).toEqual({ offset: text.lastIndexOf('{}'), line: 50_001, column: 1 });
    expect(ms).toBeLessThan(3000); // quadratic position lookups took 6.4 s
  });

  it('answers a 4 MB unknown name quickly, with a short message', () => {
    const name = 'q'.repeat(4 << 20);
    for (const body of [`{"query":{"${name}":{}}}`, `{"${name}":1}`, `{"aggs":{"a":{"${name}":{}}}}`]) {
      let v = check('{}');
      expect(cpuMs(() => (v = check(body, schema)))).toBeLessThan(1500); // the unbounded hint took 3.2 s
      expect(v.valid).toBe(false);
      expect(v.problems[0].message.length).toBeLessThan(300);
    }
    const ms = cpuMs(() => {
      expect(check({ query: { term: { [name]: 'x' } } }, schema).problems[0].message).toMatch(/unknown field/);
      expect(check({ _source: [`${'*a'.repeat(5000)}*b`] }, schema).valid).toBe(false);
    });
    expect(ms).toBeLessThan(1500);
  });

  it('still gives hints for near misses', () => {
    expect(messages({ query: { fucntion_score: {} } })[0]).toMatch(/did you mean "function_score"/);
    expect(messages({ aggs: { a: { geohash_grdi: { field: 'l' } } } })[0]).toMatch(/did you mean "geohash_grid"/);
    expect(messages({ rescroe: {} })[0]).toMatch(/did you mean "rescore"/);
    expect(messages({ query: { match: { t: { qurey: 'x', query: 'y' } } } })[0]).toMatch(/did you mean "query"/);
  });
});

describe('deep nesting', () => {
  it('refuses JSON nested 10,000 deep with a message, not a stack overflow', () => {
    for (const text of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), '{"query":'.repeat(10_000)]) {
      const v = check(text);
      expect(v.parses).toBe(false);
      expect(v.problems[0].message).toMatch(new RegExp(`nesting deeper than ${MAX_JSON_DEPTH} levels`));
    }
  });

  it('validates a deep but allowed query', () => {
    let q: unknown = { match_all: {} };
    for (let i = 0; i < 120; i++) q = { bool: { must: [q] } };
    expect(check({ query: q }).valid).toBe(true);
  });
});

describe('rules the documentation showed to be wrong', () => {
  it('accepts _geo_distance and _script sorts with their parameters', () => {
    expect(messages({ sort: [{ _geo_distance: { location: { lat: 40, lon: -70 }, order: 'asc', unit: 'km', mode: 'min', distance_type: 'arc', ignore_unmapped: true } }] }, schema)).toEqual([]);
    expect(messages({ sort: { _script: { type: 'number', script: { source: "doc['amount'].value * 2" }, order: 'desc' } } }, schema)).toEqual([]);
    expect(messages({ sort: [{ _geo_distance: { nowhere: [0, 0] } }] }, schema)[0]).toMatch(/unknown field "nowhere"/);
  });

  it('accepts script-driven date_histogram and range aggregations', () => {
    expect(messages({ aggs: { h: { date_histogram: { script: "doc['date'].value", calendar_interval: 'month' } } } })).toEqual([]);
    expect(messages({ aggs: { r: { range: { script: { source: 's' }, ranges: [{ to: 50 }] } } } })).toEqual([]);
    expect(messages({ aggs: { h: { date_histogram: { calendar_interval: 'month' } } } })[0]).toMatch(/needs "field" or "script"/);
  });

  it('accepts background_filter, execution_hint and script_fields where OpenSearch reads them', () => {
    expect(messages({ aggs: { s: { significant_terms: { field: 'region', background_filter: { term: { region: 'eu' } } } } } }, schema)).toEqual([]);
    expect(messages({ aggs: { c: { cardinality: { field: 'region', execution_hint: 'ordinals' } } } }, schema)).toEqual([]);
    expect(messages({ aggs: { t: { top_hits: { size: 1, script_fields: { x: { script: '1' } } } } } })).toEqual([]);
  });

  it('reads relation in any case and leaves anchored date math alone without a schema', () => {
    expect(messages({ query: { range: { date: { gte: '2019-01-01', relation: 'within' } } } })).toEqual([]);
    expect(messages({ query: { range: { date: { gte: '2019-01-01', relation: 'sideways' } } } })[0]).toMatch(/"relation" must be one of/);
    expect(messages({ query: { range: { date: { gte: '2019/01/01||-1y-1d' } } } })).toEqual([]);
    expect(messages({ query: { range: { date: { gte: '2019/01/01||-1y-1d' } } } }, schema)[0]).toMatch(/is not a date/);
    expect(messages({ query: { range: { date: { gte: '2019/01/01||-1 year' } } } })[0]).toMatch(/bad date math/);
  });

  it('knows the top-level keys of a search body', () => {
    const body = {
      query: { match_all: {} }, rescore: { window_size: 50, query: { rescore_query: { match_phrase: { t: 'x' } }, query_weight: 0.7 } },
      script_fields: { d: { script: { source: '1' } } }, profile: true, pit: { id: 'abc', keep_alive: '1m' }, slice: { id: 0, max: 2 },
      stats: ['group'], search_pipeline: 'p', indices_boost: [{ 'a*': 2 }], collapse: { field: 'region' }, suggest: {}, highlight: { fields: {} },
      track_total_hits: 100, timeout: '1s', min_score: 0.5, version: true,
    };
    expect(messages(body)).toEqual([]);
    expect(messages({ slice: { id: 0 } })[0]).toMatch(/"slice" needs "max"/);
    expect(messages({ rescore: { query: {} } })[0]).toMatch(/needs "rescore_query"/);
  });

  it('checks plugin syntax only when the plugin is there', () => {
    const knn = { query: { knn: { v: { vector: [1, 2], k: 3 } } } };
    expect(messages(knn)).toEqual(['query type "knn" needs plugin knn (k-NN (opensearch-knn)): allow it with plugins: ["knn"] when the cluster has it']);
    expect(check(knn, null, ['knn']).valid).toBe(true);
    expect(check({ query: { knn: { v: { vector: [1], kk: 3 } } } }, null, ['knn']).problems[0].message).toMatch(/unknown parameter "kk" in knn \(did you mean "k"\?\)/);
    expect(check({ query: { hybrid: { queries: [{ match_all: {} }] } } }, null, ['neural-search']).valid).toBe(true);
    expect(check({ query: { hybrid: { queries: [{ match_all: {} }] } } }, null, ['hybrid']).valid).toBe(true); // a query type names its plugin
    expect(messages({ aggs: { g: { geohex_grid: { field: 'l' } } } })[0]).toMatch(/needs plugin geospatial/);
    expect(messages({ ext: { rerank: {} } })[0]).toMatch(/needs plugin neural-search/);
  });

  it('keeps span clauses to span queries', () => {
    expect(messages({ query: { span_near: { clauses: [{ span_term: { t: 'a' } }, { span_term: { t: 'b' } }], slop: 1 } } })).toEqual([]);
    expect(messages({ query: { span_near: { clauses: [{ term: { t: 'a' } }] } } })[0]).toMatch(/a span query is needed here/);
    expect(messages({ query: { span_multi: { match: { prefix: { t: 'a' } } } } })).toEqual([]);
    expect(messages({ query: { span_multi: { match: { match: { t: 'a' } } } } })[0]).toMatch(/span_multi wraps/);
  });

  it('refuses sub-aggregations under metric and pipeline aggregations', () => {
    expect(messages({ aggs: { t: { top_hits: {}, aggs: { a: { avg: { field: 'x' } } } } } })[0]).toMatch(/metric aggregation "top_hits" cannot have sub-aggregations/);
    expect(messages({ aggs: { t: { avg_bucket: { buckets_path: 'a>b' }, aggs: { a: { avg: { field: 'x' } } } } } })[0]).toMatch(/pipeline aggregation/);
  });

  it('follows the function_score, percentiles, composite and more_like_this parsers', () => {
    expect(messages({ query: { function_score: { query: { match_all: {} }, gauss: { date: { origin: 'now', scale: '10d' } }, boost_mode: 'replace' } } })).toEqual([]);
    expect(messages({ query: { function_score: { weight: 2, random_score: {} } } })[0]).toMatch(/holds one function/);
    expect(messages({ query: { function_score: { weight: 2, functions: [{ weight: 1 }] } } })[0]).toMatch(/both "weight" and a "functions" array/);
    expect(messages({ query: { function_score: { functions: [{ filter: { match_all: {} } }] } } })[0]).toMatch(/needs a function/);
    expect(messages({ query: { function_score: { filter: { match_all: {} }, weight: 2 } } })[0]).toMatch(/unknown parameter "filter" in function_score/);
    expect(messages({ query: { function_score: { weight: 2, score_mode: 'biggest' } } })[0]).toMatch(/"score_mode" must be one of/);
    expect(messages({ aggs: { p: { percentiles: { field: 'amount', hdr: { number_of_significant_value_digits: 3 } } } } })).toEqual([]);
    expect(messages({ aggs: { p: { percentiles: { field: 'amount', tdigest: { compression: 200 }, hdr: {} } } } })[0]).toMatch(/not both/);
    expect(messages({ aggs: { p: { percentiles: { field: 'amount', method: 'hdr' } } } })[0]).toMatch(/unknown parameter "method"/);
    const composite = { composite: { sources: [{ d: { date_histogram: { field: 'date', calendar_interval: 'month', missing_bucket: true } } }, { r: { terms: { field: 'region', order: 'desc' } } }] } };
    expect(messages({ aggs: { c: composite } }, schema)).toEqual([]);
    expect(messages({ aggs: { c: { composite: { sources: [{ r: { terms: { field: 'region', size: 3 } } }] } } } })[0]).toMatch(/unknown parameter "size" in composite terms/);
    expect(messages({ aggs: { c: { composite: { sources: [{ r: { range: { field: 'amount' } } }] } } } })[0]).toMatch(/a composite source is one of terms, histogram/);
    expect(messages({ query: { more_like_this: { fields: ['t'], like: 'text', min_term_freq: 1 } } })).toEqual([]);
    expect(messages({ query: { more_like_this: { fields: ['t'], like_text: 'text' } } })[0]).toMatch(/unknown parameter "like_text"/);
  });

  it('checks highlight options and terms_set as their parsers do', () => {
    expect(messages({ query: { match: { t: 'x' } }, highlight: { pre_tags: ['<b>'], fields: { t: { type: 'plain', fragment_size: 50 }, '*': {} } } })).toEqual([]);
    expect(messages({ highlight: { fields: [{ t: { matched_fields: ['t', 't.plain'] } }] } })).toEqual([]);
    expect(messages({ highlight: { pre_tag: '<b>', fields: { t: {} } } })[0]).toMatch(/unknown parameter "pre_tag" in highlight \(did you mean "pre_tags"\?\)/);
    expect(messages({ highlight: { fields: { t: { fragmentsize: 5 } } } })[0]).toMatch(/unknown parameter "fragmentsize" in highlight field/);
    expect(messages({ query: { terms_set: { t: { terms: ['a'], minimum_should_match_field: 'n' } } } })).toEqual([]);
    expect(messages({ query: { terms_set: { t: { terms: ['a'] } } } })[0]).toMatch(/needs "minimum_should_match_field" or "minimum_should_match_script"/);
    expect(messages({ query: { terms_set: { t: { terms: ['a'], minimum_should_match_field: 'n', minimum_should_match_script: { source: '1' } } } } })[0]).toMatch(/not both/);
  });

  it('checks score_mode of nested and has_child, and takes dis_max queries as one query or a list', () => {
    expect(messages({ query: { nested: { path: 'items', query: { match_all: {} }, score_mode: 'max' } } })).toEqual([]);
    expect(messages({ query: { nested: { path: 'items', query: { match_all: {} }, score_mode: 'maximum' } } })[0]).toMatch(/"score_mode" must be one of avg, max, min, none, sum/);
    expect(messages({ query: { has_child: { type: 'answer', query: { match_all: {} }, score_mode: 'first' } } })[0]).toMatch(/"score_mode" must be one of/);
    expect(messages({ query: { dis_max: { queries: { match_all: {} } } } })).toEqual([]);
  });

  it('checks the values of enumerated text parameters wherever they appear', () => {
    expect(messages({ query: { match: { t: { query: 'x', operator: 'AND', zero_terms_query: 'all' } } } })).toEqual([]);
    expect(messages({ query: { match: { t: { query: 'x', operator: 'xor' } } } })).toEqual(['match "operator" must be one of and, or, got "xor"']);
    expect(messages({ query: { query_string: { query: 'x', default_operator: 'maybe' } } })[0]).toMatch(/"default_operator" must be one of and, or/);
    expect(messages({ aggs: { d: { derivative: { buckets_path: 'a', gap_policy: 'skipp' } } } })[0]).toMatch(/must be one of skip, insert_zeros, keep_values/);
    expect(messages({ query: { geo_distance: { distance: '1km', distance_type: 'sphere', p: [0, 0] } } })[0]).toMatch(/must be one of arc, plane/);
  });
});
