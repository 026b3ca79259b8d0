// The validator against real `_search` bodies from OpenSearch's documentation (fixtures/doc-search-bodies.json,
// collected by fixtures/collect-doc-bodies.mjs, each with its source page), and against mutations of them that
// OpenSearch rejects.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeQueryDsl, AGGREGATIONS, PLUGINS, QUERIES } from './index';
import type { JsonValue } from './json-parse';

interface DocBody {
  source: string;
  request: string;
  body: { [key: string]: JsonValue };
}
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'doc-search-bodies.json'), 'utf8')) as { commit: string; bodies: DocBody[] };
const ALL_PLUGINS = Object.keys(PLUGINS);

/** Documentation examples that are templates, not requests: OpenSearch rejects them too. */
const NOT_REQUESTS = new Map([
  ['_aggregations/index.md', /unknown aggregation type "<aggregation_type>"/], // "<aggregation_name>": {"<aggregation_type>": ...}
  ['_query-dsl/compound/bool.md', /empty query/], // the bool syntax outline with {} clauses ("query malformed, empty clause found")
]);
const isTemplate = (b: DocBody): boolean => NOT_REQUESTS.has(b.source) && /"<aggregation_name>"|\[\{\}\]/.test(JSON.stringify(b.body));

const text = (b: unknown): string => JSON.stringify(b);
const problems = (body: unknown, plugins: string[] = ALL_PLUGINS) => analyzeQueryDsl(text(body), null, { plugins }).validity.problems;

describe('OpenSearch documentation _search bodies', () => {
  it(`accepts every request body in the documentation (commit ${fixture.commit.slice(0, 8)})`, () => {
    expect(fixture.bodies.length).toBeGreaterThan(600);
    const rejected = fixture.bodies
      .filter((b) => !isTemplate(b))
      .map((b) => ({ source: b.source, problems: problems(b.body).map((p) => `${p.path}: ${p.message}`) }))
      .filter((r) => r.problems.length > 0);
    expect(rejected).toEqual([]);
  });

  it('rejects the two syntax outlines, which are not requests', () => {
    const templates = fixture.bodies.filter(isTemplate);
    expect(templates.map((b) => b.source).sort()).toEqual([...NOT_REQUESTS.keys()].sort());
    for (const b of templates) expect(problems(b.body).map((p) => p.message).join('\n')).toMatch(NOT_REQUESTS.get(b.source)!);
  });

  it('reports plugin syntax as "needs plugin X" when the cluster lacks the plugin', () => {
    const needing = fixture.bodies.filter((b) => !isTemplate(b) && problems(b.body, []).length > 0);
    expect(needing.length).toBeGreaterThan(10);
    for (const b of needing) {
      const messages = problems(b.body, []).map((p) => p.message);
      expect(messages.every((m) => /needs plugin (knn|neural-search|geospatial|ml-commons)|is read by a plugin/.test(m)), `${b.source}: ${messages.join('; ')}`).toBe(true);
    }
    const knn = fixture.bodies.find((b) => b.source.startsWith('_query-dsl/specialized/k-nn/'))!;
    expect(problems(knn.body, [])[0].message).toMatch(/query type "knn" needs plugin knn/);
    expect(problems(knn.body, ['knn'])).toEqual([]);
  });

  it('uses the table: the documented query and aggregation types are all known', () => {
    const seen = new Set<string>();
    for (const b of fixture.bodies) for (const c of analyzeQueryDsl(text(b.body), null, { plugins: ALL_PLUGINS }).coverage) seen.add(c);
    const queries = [...QUERIES.keys()].filter((q) => seen.has(q));
    const aggs = [...AGGREGATIONS.keys()].filter((a) => seen.has(`aggs.${a}`));
    expect(queries.length).toBeGreaterThan(55);
    expect(aggs.length).toBeGreaterThan(55);
  });
});

/** A copy of `v` with `f` applied (deep clone first, so mutations never leak between cases). */
const mutate = <T>(v: T, f: (copy: T) => boolean): T | null => {
  const copy = structuredClone(v);
  return f(copy) ? copy : null;
};
type Obj = { [key: string]: JsonValue };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const rename = (o: Obj, from: string, to: string): void => {
  const entries = Object.entries(o).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(o)) delete o[k];
  for (const [k, v] of entries) o[k] = v;
};

/** The definition of a body's first top-level aggregation, if any. */
const firstAgg = (b: Obj): Obj | null => {
  const aggs = isObj(b.aggs) ? b.aggs : isObj(b.aggregations) ? b.aggregations : null;
  const first = aggs ? Object.values(aggs)[0] : undefined;
  return isObj(first) ? first : null;
};

/** Mutations OpenSearch rejects, each returning false when it does not apply to a body. */
const MUTATIONS: [string, (b: Obj) => boolean][] = [
  ['misspelled query type', (b) => {
    if (!isObj(b.query)) return false;
    const [t] = Object.keys(b.query);
    rename(b.query, t, `${t.slice(0, -1)}${t.endsWith('x') ? 'y' : 'x'}`);
    return true;
  }],
  ['bad bool clause', (b) => {
    const bool = isObj(b.query) && isObj(b.query.bool) ? b.query.bool : null;
    const occur = bool && Object.keys(bool).find((k) => ['must', 'should', 'filter', 'must_not'].includes(k));
    if (!bool || !occur) return false;
    rename(bool, occur, `${occur}s`);
    return true;
  }],
  ['unknown parameter in the query', (b) => {
    if (!isObj(b.query)) return false;
    const [t] = Object.keys(b.query);
    const spec = QUERIES.get(t);
    const body = b.query[t];
    if (!spec || !isObj(body) || t === 'template') return false;
    if (spec.form === 'object') body.bogus_param = 1;
    else {
      const field = Object.keys(body).find((k) => !Object.hasOwn(spec.outer ?? {}, k));
      if (field === undefined) return false;
      if (isObj(body[field]) && Object.keys(spec.params).length > 0) (body[field] as Obj).bogus_param = 1;
      else body.bogus_param = 1;
    }
    return true;
  }],
  ['two aggregation types in one aggregation', (b) => {
    const def = firstAgg(b);
    if (!def) return false;
    if ('avg' in def) def.sum = { field: 'x' };
    else def.avg = { field: 'x' };
    return true;
  }],
  ['misspelled aggregation type', (b) => {
    const def = firstAgg(b);
    if (!def) return false;
    const type = Object.keys(def).find((k) => AGGREGATIONS.has(k));
    if (!type) return false;
    rename(def, type, `${type}s`);
    return true;
  }],
  ['negative size', (b) => ((b.size = -1), true)],
  ['size beyond int', (b) => ((b.size = 1.2e29), true)],
  ['from of 1e308', (b) => ((b.from = 1e308), true)],
  ['fractional from', (b) => ((b.from = 1.5), true)],
  ['unknown top-level key', (b) => ((b.sizes = 10), true)],
  ['misspelled top-level key', (b) => {
    const k = Object.keys(b).find((x) => ['query', 'aggs', 'sort', 'size', '_source'].includes(x));
    if (!k) return false;
    rename(b, k, `${k}_`);
    return true;
  }],
  ['query holding two clauses', (b) => {
    if (!isObj(b.query) || 'match_all' in b.query) return false;
    b.query.match_all = {};
    return true;
  }],
];

describe('mutations of the documentation bodies', () => {
  const bodies = fixture.bodies.filter((b) => !isTemplate(b));
  for (const [name, f] of MUTATIONS) {
    it(`rejects every body with a ${name}`, () => {
      let applied = 0;
      const accepted: string[] = [];
      for (const b of bodies) {
        const m = mutate(b.body, f);
        if (!m) continue;
        applied++;
        if (problems(m).length === 0) accepted.push(`${b.source}: ${text(m).slice(0, 200)}`);
      }
      expect(applied).toBeGreaterThan(5);
      expect(accepted).toEqual([]);
    });
  }
});
