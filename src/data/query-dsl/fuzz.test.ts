// Property test: the JSON parser and the validator on generated input (search-body-shaped JSON built from real
// names and Object.prototype member names, mutated texts, random text, deep nesting). No crash, no hang, the parser
// agrees with JSON.parse, and every rejection is a problem with a path and a message.
// Replay a failure with FC_SEED=<seed> (printed on failure).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../records';
import { AGGREGATIONS, analyzeQueryDsl, canonicalize, parseJson, PLUGINS, QUERIES, SEARCH_BODY } from './index';
import { fuzzSeed } from '../../testing/reliability';

const schema: IndexSchema = {
  index: 'fuzz',
  description: 'fuzz index',
  fields: [
    { name: 'date', type: 'date', description: '' },
    { name: 'region', type: 'keyword', description: '' },
    { name: 'title', type: 'text', description: '', keywordSubfield: true },
    { name: 'amount', type: 'double', description: '' },
    { name: 'items', type: 'nested', description: '' },
  ],
};

const params = new Set<string>();
for (const spec of QUERIES.values()) for (const k of Object.keys({ ...spec.params, ...spec.outer })) params.add(k);
for (const spec of AGGREGATIONS.values()) for (const k of Object.keys(spec.params)) params.add(k);
const NAMES = [
  ...QUERIES.keys(), ...AGGREGATIONS.keys(), ...Object.keys(SEARCH_BODY), ...params, ...Object.getOwnPropertyNames(Object.prototype),
  'date', 'region', 'title', 'title.keyword', 'amount', 'items', '_score', '_doc', '_script', '_geo_distance', 'aggs', 'asc', 'desc',
];

const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const scalar = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 10, 2147483648, 1.2e29, 1e308, 'now-1d/d', '2019/01/01||-1y', 'asc', 'month', '30d', 'within'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  name,
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(name, tie('value'), { maxKeys: 3 }),
  ),
}));
const body = fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(SEARCH_BODY)), name), value, { minKeys: 1, maxKeys: 4 });

/** A JSON text with a few characters inserted, deleted or replaced. */
const mutatedText = fc.tuple(body, fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '-', '1', 'e', ' ', '\n', 'x', '\u0000')), { minLength: 1, maxLength: 3 }))
  .map(([b, edits]) => {
    let t = JSON.stringify(b);
    for (const [at, op, ch] of edits) {
      const i = at % (t.length + 1);
      t = op === 0 ? t.slice(0, i) + ch + t.slice(i) : op === 1 ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i + 1);
    }
    return t;
  });
const deep = fc.tuple(fc.integer({ min: 500, max: 700 }), fc.constantFrom('[', '{"query":', '{"a":[')).map(([n, open]) => open.repeat(n));
const text = fc.oneof(
  { weight: 6, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: mutatedText },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deep },
);
const options = fc.record({ withSchema: fc.boolean(), plugins: fc.subarray(Object.keys(PLUGINS)) });

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

function jsonParse(t: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
}

describe('Query DSL parser and validator on generated input', () => {
  it('never crash or hang; every rejection is a problem with a path and a message', () => {
    const seed = fuzzSeed();
    const started = process.cpuUsage();
    try {
      fc.assert(
        fc.property(text, options, (t, { withSchema, plugins }) => {
          const parsed = parseJson(t);
          const native = jsonParse(t);
          if (parsed.ok) {
            check(native.ok, 'parseJson accepted what JSON.parse rejects');
            if (native.ok) check(canonicalize(parsed.value) === canonicalize(JSON.parse(JSON.stringify(native.value))), 'parseJson read a different value');
          } else if (native.ok) {
            check(/nesting deeper than/.test(parsed.error.message), `parseJson rejected valid JSON: ${parsed.error.message}`); // the one thing we refuse
          }
          const cpu = process.cpuUsage();
          const { validity, coverage } = analyzeQueryDsl(t, withSchema ? schema : null, { plugins });
          const used = process.cpuUsage(cpu);
          check(used.user + used.system < 250_000, 'validation took over 250 ms of CPU');
          check(validity.parses === parsed.ok, 'parses disagrees with the parser');
          check(validity.valid === (validity.problems.length === 0), 'valid disagrees with the problems');
          check(validity.parses || validity.problems.length === 1, 'a syntax error is one problem');
          for (const p of validity.problems) {
            check(typeof p.message === 'string' && p.message.length > 0, 'a problem without a message');
            check(p.path.startsWith('$'), `bad path ${p.path}`);
            check(!p.position || p.position.line >= 1, 'bad position');
          }
          check(coverage.every((c, i) => i === 0 || coverage[i - 1] < c), 'coverage not sorted');
        }),
        { numRuns: 10_000, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    const used = process.cpuUsage(started);
    const cpuMs = Math.round((used.user + used.system) / 1000);
    console.log(`10,000 generated cases in ${cpuMs} ms of CPU (seed ${seed})`);
    expect(cpuMs).toBeLessThan(30_000);
  }, 120_000);
});
