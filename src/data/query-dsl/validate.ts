// Structural validation of an OpenSearch search request body (Query DSL): top-level keys, query clauses and their
// shapes, aggregations (bucket, metric and pipeline, with nesting rules), sort and _source, date math in range
// values, and every field name against the task's index schema. Each problem names its JSON path and, when the text
// is at hand, its line and column. While walking, it records which clause and aggregation types the request uses.
//
// The rules follow what OpenSearch itself rejects (unknown clauses and parameters, metric aggregations with
// sub-aggregations, terms aggregations or sorts on analysed text fields, unparseable dates), not style preferences.

import type { IndexSchema, RowValidity, ValidationProblem } from '../records';
import { CALENDAR_INTERVALS, checkDateValue, isFixedInterval, usesDateMath } from './date-math';
import { FieldResolver, didYouMean, type FieldKind } from './fields';
import { childPath, parseJson, positionAt, type JsonValue } from './json-parse';

type Obj = { [key: string]: JsonValue };

export interface QueryDslAnalysis {
  validity: RowValidity;
  /** Clause and aggregation types used, sorted (see clauseCoverage). */
  coverage: string[];
  /** The parsed request when it parses. */
  value?: JsonValue;
}

const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: JsonValue | undefined): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

const TOP_LEVEL = [
  'query', 'aggs', 'aggregations', 'size', 'from', 'sort', '_source', 'track_total_hits', 'post_filter', 'min_score',
  'timeout', 'terminate_after', 'search_after', 'track_scores', 'explain', 'version', 'seq_no_primary_term',
  'stored_fields', 'docvalue_fields', 'fields', 'highlight', 'collapse',
];

/** Parameters each leaf query accepts inside its per-field object, besides the value key. */
const COMMON = ['boost', '_name'];
const MATCH_PARAMS = ['query', 'operator', 'minimum_should_match', 'fuzziness', 'analyzer', 'zero_terms_query', 'lenient',
  'prefix_length', 'max_expansions', 'fuzzy_transpositions', 'fuzzy_rewrite', 'auto_generate_synonyms_phrase_query', 'cutoff_frequency', ...COMMON];
const PHRASE_PARAMS = ['query', 'slop', 'analyzer', 'zero_terms_query', ...COMMON];
const PHRASE_PREFIX_PARAMS = [...PHRASE_PARAMS, 'max_expansions'];
const TERM_PARAMS = ['value', 'case_insensitive', ...COMMON];
const PREFIX_PARAMS = ['value', 'case_insensitive', 'rewrite', ...COMMON];
const WILDCARD_PARAMS = ['value', 'wildcard', 'case_insensitive', 'rewrite', ...COMMON];
const REGEXP_PARAMS = ['value', 'flags', 'case_insensitive', 'max_determinized_states', 'rewrite', ...COMMON];
const FUZZY_PARAMS = ['value', 'fuzziness', 'max_expansions', 'prefix_length', 'transpositions', 'rewrite', ...COMMON];
const RANGE_PARAMS = ['gt', 'gte', 'lt', 'lte', 'from', 'to', 'include_lower', 'include_upper', 'format', 'time_zone', 'relation', ...COMMON];
const MULTI_MATCH_PARAMS = ['query', 'fields', 'type', 'operator', 'minimum_should_match', 'tie_breaker', 'analyzer', 'fuzziness',
  'prefix_length', 'max_expansions', 'lenient', 'zero_terms_query', 'slop', 'auto_generate_synonyms_phrase_query', 'fuzzy_transpositions', ...COMMON];
const QUERY_STRING_PARAMS = ['query', 'default_field', 'fields', 'default_operator', 'analyzer', 'allow_leading_wildcard', 'analyze_wildcard',
  'lenient', 'minimum_should_match', 'phrase_slop', 'fuzziness', 'time_zone', 'quote_field_suffix', 'type', 'tie_breaker',
  'auto_generate_synonyms_phrase_query', 'enable_position_increments', 'flags', 'max_determinized_states', 'rewrite', 'escape', ...COMMON];
const MULTI_MATCH_TYPES = ['best_fields', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix', 'bool_prefix'];

const BUCKET_AGGS = ['terms', 'date_histogram', 'histogram', 'range', 'date_range', 'filter', 'filters', 'missing', 'nested',
  'reverse_nested', 'global', 'significant_terms', 'auto_date_histogram', 'composite', 'multi_terms', 'sampler'];
const METRIC_AGGS = ['avg', 'sum', 'min', 'max', 'cardinality', 'value_count', 'stats', 'extended_stats', 'percentiles',
  'percentile_ranks', 'top_hits', 'median_absolute_deviation', 'weighted_avg', 'geo_bounds'];
const PIPELINE_AGGS = ['avg_bucket', 'sum_bucket', 'max_bucket', 'min_bucket', 'stats_bucket', 'extended_stats_bucket',
  'bucket_sort', 'bucket_selector', 'bucket_script', 'derivative', 'cumulative_sum', 'moving_avg', 'moving_fn', 'serial_diff'];

export class QueryDslValidator {
  private readonly problems: ValidationProblem[] = [];
  private readonly used = new Set<string>();
  private readonly fields: FieldResolver | null;
  private offsets = new Map<string, number>();
  private text = '';
  private readonly queryClauses: Record<string, (body: JsonValue, path: string) => void>;

  constructor(schema: IndexSchema | null) {
    this.fields = schema ? new FieldResolver(schema) : null;
    this.queryClauses = {
      bool: (b, p) => this.bool(b, p),
      match: (b, p) => this.fullText(b, p, 'match', MATCH_PARAMS),
      match_phrase: (b, p) => this.fullText(b, p, 'match_phrase', PHRASE_PARAMS),
      match_phrase_prefix: (b, p) => this.fullText(b, p, 'match_phrase_prefix', PHRASE_PREFIX_PARAMS),
      match_bool_prefix: (b, p) => this.fullText(b, p, 'match_bool_prefix', MATCH_PARAMS),
      multi_match: (b, p) => this.multiMatch(b, p),
      query_string: (b, p) => this.queryString(b, p, 'query_string'),
      simple_query_string: (b, p) => this.queryString(b, p, 'simple_query_string'),
      term: (b, p) => this.termLevel(b, p, 'term', TERM_PARAMS, 'value'),
      prefix: (b, p) => this.termLevel(b, p, 'prefix', PREFIX_PARAMS, 'value'),
      wildcard: (b, p) => this.termLevel(b, p, 'wildcard', WILDCARD_PARAMS, 'value'),
      regexp: (b, p) => this.termLevel(b, p, 'regexp', REGEXP_PARAMS, 'value'),
      fuzzy: (b, p) => this.termLevel(b, p, 'fuzzy', FUZZY_PARAMS, 'value'),
      terms: (b, p) => this.terms(b, p),
      range: (b, p) => this.range(b, p),
      exists: (b, p) => this.exists(b, p),
      ids: (b, p) => this.ids(b, p),
      match_all: (b, p) => this.params(b, p, 'match_all', COMMON),
      match_none: (b, p) => this.params(b, p, 'match_none', COMMON),
      constant_score: (b, p) => this.constantScore(b, p),
      dis_max: (b, p) => this.disMax(b, p),
      boosting: (b, p) => this.boosting(b, p),
      nested: (b, p) => this.nestedQuery(b, p),
    };
  }

  /** Parses and validates `text`. */
  analyze(text: string): QueryDslAnalysis {
    this.text = text;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      return {
        validity: { parses: false, valid: false, problems: [{ path: '$', message: `not valid JSON: ${parsed.error.message}`, position: parsed.error.position }] },
        coverage: [],
      };
    }
    this.offsets = parsed.offsets;
    for (const p of parsed.duplicateKeys) this.problem(p, 'duplicate key (OpenSearch rejects it; JSON parsers keep only the last)');
    this.request(parsed.value, '$');
    return {
      validity: { parses: true, valid: this.problems.length === 0, problems: this.problems },
      coverage: [...this.used].sort(),
      value: parsed.value,
    };
  }

  private problem(path: string, message: string): void {
    const offset = this.offsets.get(path);
    this.problems.push(offset === undefined ? { path, message } : { path, message, position: positionAt(this.text, offset) });
  }

  // ---- generic shape helpers ----

  private object(v: JsonValue | undefined, path: string, what: string): v is Obj {
    if (isObj(v)) return true;
    this.problem(path, `${what} must be an object, got ${kindOf(v)}`);
    return false;
  }

  private keys(obj: Obj, path: string, allowed: readonly string[], what: string): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.problem(childPath(path, k), `unknown parameter "${k}" in ${what}${didYouMean(k, allowed)}`);
    }
  }

  private params(v: JsonValue, path: string, what: string, allowed: readonly string[]): Obj | null {
    if (!this.object(v, path, what)) return null;
    this.keys(v, path, allowed, what);
    return v;
  }

  private nonNegativeInt(v: JsonValue | undefined, path: string, what: string): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.problem(path, `${what} must be a whole number >= 0, got ${JSON.stringify(v)}`);
  }

  private stringValue(v: JsonValue | undefined, path: string, what: string): v is string {
    if (typeof v === 'string') return true;
    this.problem(path, `${what} must be a string, got ${kindOf(v)}`);
    return false;
  }

  private oneOf(v: JsonValue | undefined, path: string, what: string, options: readonly string[]): void {
    if (typeof v !== 'string' || !options.includes(v)) this.problem(path, `${what} must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  }

  /** Resolves a field name against the schema (no-op without a schema). Returns its kind, or null if unknown. */
  private field(name: JsonValue | undefined, path: string): FieldKind | 'unchecked' | null {
    if (typeof name !== 'string' || name === '') {
      this.problem(path, `field name must be a non-empty string, got ${kindOf(name)}`);
      return null;
    }
    if (!this.fields) return 'unchecked';
    const r = this.fields.resolve(name);
    if ('error' in r) {
      this.problem(path, r.error);
      return null;
    }
    return r.kind;
  }

  /** A field used for aggregating or sorting: analysed text has no doc values there. */
  private aggregatableField(name: JsonValue | undefined, path: string, what: string, accept?: FieldKind[]): void {
    const kind = this.field(name, path);
    if (kind === null || kind === 'unchecked') return;
    if (kind === 'text') {
      const hint = this.fields!.resolve(`${String(name)}.keyword`);
      this.problem(path, `${what} on text field "${String(name)}" is not allowed (no doc values)${'error' in hint ? '' : `: use "${String(name)}.keyword"`}`);
    } else if (accept && !accept.includes(kind)) {
      this.problem(path, `${what} needs a ${accept.join(' or ')} field, but "${String(name)}" is ${kind}`);
    }
  }

  /** Leaf queries keyed by one field name: {clause: {field: shorthand | {params}}}. */
  private singleField(body: JsonValue, path: string, clause: string): [string, JsonValue, string] | null {
    if (!this.object(body, path, clause)) return null;
    const names = Object.keys(body);
    if (names.length !== 1) {
      this.problem(path, `${clause} takes exactly one field, got ${names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ')}`);
      if (names.length === 0) return null;
    }
    const name = names[0];
    const fieldPath = childPath(path, name);
    this.field(name, fieldPath);
    return [name, body[name], fieldPath];
  }

  // ---- request ----

  private request(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'the search request')) return;
    if (Object.keys(v).length === 0) this.problem(path, 'empty search request');
    this.keys(v, path, TOP_LEVEL, 'the search request');
    if ('aggs' in v && 'aggregations' in v) this.problem(path, 'use either "aggs" or "aggregations", not both');
    for (const [k, val] of Object.entries(v)) {
      const p = childPath(path, k);
      switch (k) {
        case 'query':
        case 'post_filter':
          this.used.add(k === 'query' ? 'query' : 'post_filter');
          this.query(val, p);
          break;
        case 'aggs':
        case 'aggregations':
          this.aggs(val, p, 0);
          break;
        case 'size':
        case 'from':
        case 'terminate_after':
          this.used.add(k);
          this.nonNegativeInt(val, p, `"${k}"`);
          break;
        case 'sort':
          this.used.add('sort');
          this.sort(val, p);
          break;
        case '_source':
          this.used.add('_source');
          this.source(val, p);
          break;
        case 'track_total_hits':
          this.used.add('track_total_hits');
          if (typeof val !== 'boolean') this.nonNegativeInt(val, p, '"track_total_hits" (true, false or a number)');
          break;
        case 'min_score':
          if (typeof val !== 'number') this.problem(p, '"min_score" must be a number');
          break;
        case 'track_scores':
        case 'explain':
        case 'version':
        case 'seq_no_primary_term':
          if (typeof val !== 'boolean') this.problem(p, `"${k}" must be true or false`);
          break;
        case 'search_after':
          if (!Array.isArray(val)) this.problem(p, '"search_after" must be an array of sort values');
          break;
        case 'timeout':
          this.stringValue(val, p, '"timeout"');
          break;
        default:
          break; // stored_fields, docvalue_fields, fields, highlight, collapse: accepted, not checked in depth
      }
    }
  }

  // ---- queries ----

  query(v: JsonValue | undefined, path: string): void {
    if (!this.object(v, path, 'a query')) return;
    const clauses = Object.keys(v);
    if (clauses.length !== 1) {
      this.problem(path, clauses.length === 0
        ? 'empty query: expected one clause such as {"match": ...} or {"bool": ...}'
        : `a query object holds exactly one clause, got ${clauses.map((c) => `"${c}"`).join(', ')} (combine them with bool)`);
    }
    for (const clause of clauses) {
      const p = childPath(path, clause);
      const check = this.queryClauses[clause];
      if (!check) {
        this.problem(p, `unknown query clause "${clause}"${didYouMean(clause, Object.keys(this.queryClauses))}`);
        continue;
      }
      this.used.add(clause);
      check(v[clause], p);
    }
  }

  private queryList(v: JsonValue, path: string): void {
    if (Array.isArray(v)) v.forEach((q, i) => this.query(q, childPath(path, i)));
    else this.query(v, path);
  }

  private bool(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'bool', ['must', 'should', 'filter', 'must_not', 'minimum_should_match', 'adjust_pure_negative', ...COMMON]);
    if (!body) return;
    for (const occur of ['must', 'should', 'filter', 'must_not']) {
      if (!(occur in body)) continue;
      this.used.add(`bool.${occur}`);
      this.queryList(body[occur], childPath(path, occur));
    }
    const msm = body.minimum_should_match;
    if (msm !== undefined && typeof msm !== 'number' && !(typeof msm === 'string' && /^-?\d+%?$|^\d+<-?\d+%?/.test(msm))) {
      this.problem(childPath(path, 'minimum_should_match'), `"minimum_should_match" must be a number or a string like "75%", got ${JSON.stringify(msm)}`);
    }
  }

  private fullText(b: JsonValue, path: string, clause: string, params: readonly string[]): void {
    const r = this.singleField(b, path, clause);
    if (!r) return;
    const [, v, p] = r;
    if (isObj(v)) {
      this.keys(v, p, params, clause);
      if (!('query' in v)) this.problem(p, `${clause} needs "query"`);
      else if (!['string', 'number', 'boolean'].includes(typeof v.query)) this.problem(childPath(p, 'query'), `${clause} "query" must be text, got ${kindOf(v.query)}`);
      if ('operator' in v) this.oneOf(typeof v.operator === 'string' ? v.operator.toLowerCase() : v.operator, childPath(p, 'operator'), '"operator"', ['and', 'or']);
    } else if (!['string', 'number', 'boolean'].includes(typeof v)) {
      this.problem(p, `${clause} value must be text or an object with "query", got ${kindOf(v)}`);
    }
  }

  private fieldPatterns(v: JsonValue | undefined, path: string): void {
    if (!Array.isArray(v) || v.some((f) => typeof f !== 'string')) {
      this.problem(path, '"fields" must be an array of field names (optionally with ^boost)');
      return;
    }
    v.forEach((f, i) => {
      const name = (f as string).replace(/\^\d+(\.\d+)?$/, '');
      if (this.fields && this.fields.matchPattern(name).length === 0) {
        this.problem(childPath(path, i), name.includes('*')
          ? `pattern "${name}" matches no field in index "${this.fields.schema.index}"`
          : (this.fields.resolve(name) as { error: string }).error);
      }
    });
  }

  private multiMatch(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'multi_match', MULTI_MATCH_PARAMS);
    if (!body) return;
    if (!('query' in body)) this.problem(path, 'multi_match needs "query"');
    else this.stringValue(body.query, childPath(path, 'query'), 'multi_match "query"');
    if ('fields' in body) this.fieldPatterns(body.fields, childPath(path, 'fields'));
    if ('type' in body) this.oneOf(body.type, childPath(path, 'type'), 'multi_match "type"', MULTI_MATCH_TYPES);
  }

  private queryString(b: JsonValue, path: string, clause: string): void {
    const body = this.params(b, path, clause, QUERY_STRING_PARAMS);
    if (!body) return;
    if (!('query' in body)) this.problem(path, `${clause} needs "query"`);
    else this.stringValue(body.query, childPath(path, 'query'), `${clause} "query"`);
    if ('fields' in body) this.fieldPatterns(body.fields, childPath(path, 'fields'));
    if ('default_field' in body && body.default_field !== '*') this.field(body.default_field, childPath(path, 'default_field'));
  }

  private termLevel(b: JsonValue, path: string, clause: string, params: readonly string[], valueKey: string): void {
    const r = this.singleField(b, path, clause);
    if (!r) return;
    const [, v, p] = r;
    const scalar = (x: JsonValue | undefined): boolean => ['string', 'number', 'boolean'].includes(typeof x);
    if (isObj(v)) {
      this.keys(v, p, params, clause);
      const key = clause === 'wildcard' && 'wildcard' in v ? 'wildcard' : valueKey;
      if (!(key in v)) this.problem(p, `${clause} needs "${valueKey}"`);
      else if (!scalar(v[key])) this.problem(childPath(p, key), `${clause} "${key}" must be a single value, got ${kindOf(v[key])}${clause === 'term' && Array.isArray(v[key]) ? ' (use terms for several values)' : ''}`);
    } else if (!scalar(v)) {
      this.problem(p, `${clause} value must be a single value, got ${kindOf(v)}${clause === 'term' && Array.isArray(v) ? ' (use terms for several values)' : ''}`);
    }
  }

  private terms(b: JsonValue, path: string): void {
    if (!this.object(b, path, 'terms')) return;
    const fieldNames = Object.keys(b).filter((k) => !COMMON.includes(k));
    if (fieldNames.length !== 1) this.problem(path, `terms takes exactly one field, got ${fieldNames.length === 0 ? 'none' : fieldNames.map((n) => `"${n}"`).join(', ')}`);
    for (const name of fieldNames) {
      const p = childPath(path, name);
      this.field(name, p);
      const v = b[name];
      if (isObj(v)) {
        this.keys(v, p, ['index', 'id', 'path', 'routing'], 'terms lookup'); // terms lookup form
      } else if (!Array.isArray(v) || v.length === 0) {
        this.problem(p, `terms needs a non-empty array of values, got ${kindOf(v)}`);
      } else {
        v.forEach((x, i) => {
          if (!['string', 'number', 'boolean'].includes(typeof x)) this.problem(childPath(p, i), `terms values must be single values, got ${kindOf(x)}`);
        });
      }
    }
  }

  /** A range bound checked against the field's type. */
  private bound(v: JsonValue, path: string, kind: FieldKind | 'unchecked' | null, customFormat: boolean): void {
    if (v === null) return; // null means unbounded
    if (kind === 'date' || (kind === 'unchecked' && typeof v === 'string' && usesDateMath(v))) {
      const reason = checkDateValue(v, customFormat);
      if (reason) this.problem(path, reason);
      if (typeof v === 'string' && usesDateMath(v)) this.used.add('range.date_math');
    } else if (kind === 'numeric') {
      if (typeof v !== 'number' && !(typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))) {
        this.problem(path, `a bound on a numeric field must be a number, got ${JSON.stringify(v)}`);
      }
    } else if (!['string', 'number'].includes(typeof v)) {
      this.problem(path, `a range bound must be a number or a string, got ${kindOf(v)}`);
    }
  }

  private range(b: JsonValue, path: string): void {
    const r = this.singleField(b, path, 'range');
    if (!r) return;
    const [name, v, p] = r;
    if (!this.object(v, p, `range on "${name}"`)) return;
    this.keys(v, p, RANGE_PARAMS, 'range');
    const bounds = ['gt', 'gte', 'lt', 'lte', 'from', 'to'].filter((k) => k in v);
    if (bounds.length === 0) this.problem(p, 'range needs at least one of gt, gte, lt, lte');
    if ('gt' in v && 'gte' in v) this.problem(p, 'range has both gt and gte');
    if ('lt' in v && 'lte' in v) this.problem(p, 'range has both lt and lte');
    const kind = this.fields ? (() => {
      const res = this.fields!.resolve(name);
      return 'error' in res ? null : res.kind;
    })() : 'unchecked';
    for (const k of bounds) this.bound(v[k], childPath(p, k), kind, 'format' in v);
    if ('relation' in v) this.oneOf(v.relation, childPath(p, 'relation'), 'range "relation"', ['INTERSECTS', 'CONTAINS', 'WITHIN']);
    if ('format' in v) this.stringValue(v.format, childPath(p, 'format'), 'range "format"');
    if ('time_zone' in v) this.stringValue(v.time_zone, childPath(p, 'time_zone'), 'range "time_zone"');
  }

  private exists(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'exists', ['field', ...COMMON]);
    if (!body) return;
    if (!('field' in body)) this.problem(path, 'exists needs "field"');
    else this.field(body.field, childPath(path, 'field'));
  }

  private ids(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'ids', ['values', ...COMMON]);
    if (body && !Array.isArray(body.values)) this.problem(childPath(path, 'values'), 'ids needs "values": an array of document ids');
  }

  private constantScore(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'constant_score', ['filter', ...COMMON]);
    if (!body) return;
    if (!('filter' in body)) this.problem(path, 'constant_score needs "filter"');
    else this.query(body.filter, childPath(path, 'filter'));
  }

  private disMax(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'dis_max', ['queries', 'tie_breaker', ...COMMON]);
    if (!body) return;
    if (!Array.isArray(body.queries)) this.problem(childPath(path, 'queries'), 'dis_max needs "queries": an array of queries');
    else body.queries.forEach((q, i) => this.query(q, childPath(childPath(path, 'queries'), i)));
  }

  private boosting(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'boosting', ['positive', 'negative', 'negative_boost', ...COMMON]);
    if (!body) return;
    for (const k of ['positive', 'negative']) {
      if (!(k in body)) this.problem(path, `boosting needs "${k}"`);
      else this.query(body[k], childPath(path, k));
    }
    if (typeof body.negative_boost !== 'number') this.problem(childPath(path, 'negative_boost'), 'boosting needs "negative_boost": a number');
  }

  private nestedQuery(b: JsonValue, path: string): void {
    const body = this.params(b, path, 'nested', ['path', 'query', 'score_mode', 'ignore_unmapped', 'inner_hits', ...COMMON]);
    if (!body) return;
    this.nestedPath(body.path, childPath(path, 'path'));
    if (!('query' in body)) this.problem(path, 'nested needs "query"');
    else this.query(body.query, childPath(path, 'query'));
    if ('score_mode' in body) this.oneOf(body.score_mode, childPath(path, 'score_mode'), '"score_mode"', ['avg', 'max', 'min', 'none', 'sum']);
  }

  private nestedPath(v: JsonValue | undefined, path: string): void {
    const kind = this.field(v, path);
    if (kind !== null && kind !== 'unchecked' && kind !== 'nested') this.problem(path, `"${String(v)}" is not a nested field (it is ${kind})`);
  }

  // ---- sort and _source ----

  private sort(v: JsonValue, path: string): void {
    const items = Array.isArray(v) ? v : [v];
    items.forEach((item, i) => {
      const p = Array.isArray(v) ? childPath(path, i) : path;
      if (typeof item === 'string') {
        if (item !== '_score' && item !== '_doc') this.aggregatableField(item, p, 'sort');
        return;
      }
      if (!isObj(item)) {
        this.problem(p, `a sort entry must be a field name or {"field": "asc"|"desc"}, got ${kindOf(item)}`);
        return;
      }
      const names = Object.keys(item);
      if (names.length !== 1) this.problem(p, `a sort entry holds exactly one field, got ${names.length}`);
      for (const name of names) {
        const fp = childPath(p, name);
        if (name !== '_score' && name !== '_doc' && name !== '_script' && name !== '_geo_distance') this.aggregatableField(name, fp, 'sort');
        const spec = item[name];
        if (typeof spec === 'string') {
          this.oneOf(spec, fp, 'sort order', ['asc', 'desc']);
        } else if (isObj(spec)) {
          this.keys(spec, fp, ['order', 'mode', 'missing', 'unmapped_type', 'format', 'nested', 'numeric_type'], 'sort');
          if ('order' in spec) this.oneOf(spec.order, childPath(fp, 'order'), 'sort order', ['asc', 'desc']);
          if ('mode' in spec) this.oneOf(spec.mode, childPath(fp, 'mode'), 'sort mode', ['min', 'max', 'sum', 'avg', 'median']);
        } else {
          this.problem(fp, `sort order must be "asc", "desc" or an object, got ${kindOf(spec)}`);
        }
      }
    });
  }

  private sourcePatterns(v: JsonValue, path: string): void {
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
    if (!list) {
      this.problem(path, `_source filters must be a field pattern or an array of them, got ${kindOf(v)}`);
      return;
    }
    list.forEach((pattern, i) => {
      const p = Array.isArray(v) ? childPath(path, i) : path;
      if (typeof pattern !== 'string') this.problem(p, `_source patterns must be strings, got ${kindOf(pattern)}`);
      else if (this.fields && this.fields.matchPattern(pattern).length === 0) {
        this.problem(p, pattern.includes('*') ? `pattern "${pattern}" matches no field in index "${this.fields.schema.index}"` : (this.fields.resolve(pattern) as { error: string }).error);
      }
    });
  }

  private source(v: JsonValue, path: string): void {
    if (typeof v === 'boolean') return;
    if (isObj(v)) {
      this.keys(v, path, ['includes', 'excludes', 'include', 'exclude'], '_source');
      for (const [k, val] of Object.entries(v)) this.sourcePatterns(val, childPath(path, k));
      return;
    }
    this.sourcePatterns(v, path);
  }

  // ---- aggregations ----

  private aggs(v: JsonValue | undefined, path: string, depth: number): void {
    if (!this.object(v, path, 'aggregations')) return;
    if (depth > 0) this.used.add('aggs.sub_aggregations');
    for (const [name, def] of Object.entries(v)) {
      const p = childPath(path, name);
      if (name === '' || /[[\]>]/.test(name)) this.problem(p, `aggregation name "${name}" must be non-empty and may not contain [, ] or >`);
      this.aggregation(def, p, depth);
    }
  }

  private aggregation(def: JsonValue, path: string, depth: number): void {
    if (!this.object(def, path, 'an aggregation')) return;
    const types = Object.keys(def).filter((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (types.length !== 1) {
      this.problem(path, types.length === 0
        ? 'aggregation has no type: expected e.g. {"terms": {...}} or {"avg": {...}}'
        : `an aggregation has exactly one type, got ${types.map((t) => `"${t}"`).join(', ')} (nest others under "aggs")`);
    }
    const sub = def.aggs ?? def.aggregations;
    if ('aggs' in def && 'aggregations' in def) this.problem(path, 'use either "aggs" or "aggregations", not both');
    for (const type of types) {
      const p = childPath(path, type);
      const body = def[type];
      if (BUCKET_AGGS.includes(type)) {
        this.used.add(`aggs.${type}`);
        this.bucketAgg(type, body, p);
      } else if (METRIC_AGGS.includes(type)) {
        this.used.add(`aggs.${type}`);
        this.metricAgg(type, body, p);
        if (sub !== undefined && type !== 'top_hits') this.problem(childPath(path, 'aggs' in def ? 'aggs' : 'aggregations'), `metric aggregation "${type}" cannot have sub-aggregations`);
      } else if (PIPELINE_AGGS.includes(type)) {
        this.used.add(`aggs.${type}`);
        this.pipelineAgg(type, body, p);
      } else {
        this.problem(p, `unknown aggregation type "${type}"${didYouMean(type, [...BUCKET_AGGS, ...METRIC_AGGS, ...PIPELINE_AGGS])}`);
      }
    }
    if (sub !== undefined) this.aggs(sub, childPath(path, 'aggs' in def ? 'aggs' : 'aggregations'), depth + 1);
  }

  private bucketAgg(type: string, b: JsonValue, path: string): void {
    if (!this.object(b, path, type)) return;
    const req = (k: string): boolean => {
      if (k in b) return true;
      this.problem(path, `${type} needs "${k}"`);
      return false;
    };
    switch (type) {
      case 'terms':
      case 'significant_terms':
        this.keys(b, path, ['field', 'script', 'size', 'shard_size', 'order', 'min_doc_count', 'shard_min_doc_count', 'missing', 'include',
          'exclude', 'show_term_doc_count_error', 'execution_hint', 'collect_mode', 'value_type', 'format'], type);
        if ('field' in b) this.aggregatableField(b.field, childPath(path, 'field'), `${type} aggregation`);
        else if (!('script' in b)) this.problem(path, `${type} needs "field"`);
        if ('size' in b) this.nonNegativeInt(b.size, childPath(path, 'size'), `${type} "size"`);
        if ('order' in b) this.bucketOrder(b.order, childPath(path, 'order'));
        break;
      case 'date_histogram': {
        this.keys(b, path, ['field', 'calendar_interval', 'fixed_interval', 'interval', 'format', 'time_zone', 'offset', 'min_doc_count',
          'extended_bounds', 'hard_bounds', 'order', 'keyed', 'missing', 'script'], type);
        if (req('field')) this.aggregatableField(b.field, childPath(path, 'field'), 'date_histogram', ['date']);
        const intervals = ['calendar_interval', 'fixed_interval', 'interval'].filter((k) => k in b);
        if (intervals.length !== 1) this.problem(path, 'date_histogram needs exactly one of "calendar_interval" (e.g. month) or "fixed_interval" (e.g. 30d)');
        if ('calendar_interval' in b && !CALENDAR_INTERVALS.has(String(b.calendar_interval))) {
          this.problem(childPath(path, 'calendar_interval'), `calendar_interval must be one of ${[...CALENDAR_INTERVALS].join(', ')}, got ${JSON.stringify(b.calendar_interval)}`);
        }
        if ('fixed_interval' in b && !isFixedInterval(b.fixed_interval)) {
          this.problem(childPath(path, 'fixed_interval'), `fixed_interval must be like 30d, 12h, 90m (no months or years), got ${JSON.stringify(b.fixed_interval)}`);
        }
        if ('interval' in b && !CALENDAR_INTERVALS.has(String(b.interval)) && !isFixedInterval(b.interval)) {
          this.problem(childPath(path, 'interval'), `bad interval ${JSON.stringify(b.interval)}`);
        }
        if ('extended_bounds' in b) this.dateBounds(b.extended_bounds, childPath(path, 'extended_bounds'), 'format' in b);
        if ('hard_bounds' in b) this.dateBounds(b.hard_bounds, childPath(path, 'hard_bounds'), 'format' in b);
        if ('min_doc_count' in b) this.nonNegativeInt(b.min_doc_count, childPath(path, 'min_doc_count'), '"min_doc_count"');
        if ('order' in b) this.bucketOrder(b.order, childPath(path, 'order'));
        break;
      }
      case 'histogram':
        this.keys(b, path, ['field', 'interval', 'offset', 'min_doc_count', 'extended_bounds', 'hard_bounds', 'order', 'keyed', 'missing', 'script'], type);
        if (req('field')) this.aggregatableField(b.field, childPath(path, 'field'), 'histogram', ['numeric']);
        if (req('interval') && !(typeof b.interval === 'number' && b.interval > 0)) this.problem(childPath(path, 'interval'), 'histogram "interval" must be a number > 0');
        break;
      case 'range':
      case 'date_range': {
        this.keys(b, path, ['field', 'ranges', 'keyed', 'format', 'time_zone', 'missing', 'script'], type);
        if (req('field')) this.aggregatableField(b.field, childPath(path, 'field'), type, type === 'range' ? ['numeric', 'date'] : ['date']);
        if (!req('ranges')) break;
        const rp = childPath(path, 'ranges');
        if (!Array.isArray(b.ranges) || b.ranges.length === 0) {
          this.problem(rp, `${type} "ranges" must be a non-empty array of {from, to, key}`);
          break;
        }
        b.ranges.forEach((r, i) => {
          const ip = childPath(rp, i);
          if (!this.object(r, ip, 'a range')) return;
          this.keys(r, ip, ['from', 'to', 'key'], `${type} range`);
          if (!('from' in r) && !('to' in r)) this.problem(ip, 'a range needs "from" or "to"');
          for (const k of ['from', 'to'].filter((x) => x in r)) {
            if (type === 'date_range') {
              const reason = r[k] === null ? null : checkDateValue(r[k], 'format' in b);
              if (reason) this.problem(childPath(ip, k), reason);
              if (typeof r[k] === 'string' && usesDateMath(r[k] as string)) this.used.add('range.date_math');
            } else if (typeof r[k] !== 'number' && r[k] !== null) {
              this.problem(childPath(ip, k), `range "${k}" must be a number`);
            }
          }
        });
        break;
      }
      case 'filter':
        this.query(b, path);
        break;
      case 'filters': {
        this.keys(b, path, ['filters', 'other_bucket', 'other_bucket_key'], type);
        const fp = childPath(path, 'filters');
        if (Array.isArray(b.filters)) b.filters.forEach((q, i) => this.query(q, childPath(fp, i)));
        else if (isObj(b.filters)) for (const [k, q] of Object.entries(b.filters)) this.query(q, childPath(fp, k));
        else this.problem(fp, 'filters needs "filters": an object of named queries or an array of queries');
        break;
      }
      case 'missing':
        this.keys(b, path, ['field'], type);
        if (req('field')) this.field(b.field, childPath(path, 'field'));
        break;
      case 'nested':
        this.keys(b, path, ['path'], type);
        if (req('path')) this.nestedPath(b.path, childPath(path, 'path'));
        break;
      case 'reverse_nested':
        this.keys(b, path, ['path'], type);
        break;
      case 'global':
        this.keys(b, path, [], type);
        break;
      default:
        break; // auto_date_histogram, composite, multi_terms, sampler: shape not checked in depth
    }
  }

  private bucketOrder(v: JsonValue, path: string): void {
    const items = Array.isArray(v) ? v : [v];
    items.forEach((o, i) => {
      const p = Array.isArray(v) ? childPath(path, i) : path;
      if (!isObj(o) || Object.keys(o).length !== 1) {
        this.problem(p, 'a bucket order is {"_count"|"_key"|"<sub-aggregation>": "asc"|"desc"}');
        return;
      }
      const [k] = Object.keys(o);
      this.oneOf(o[k], childPath(p, k), 'bucket order', ['asc', 'desc']);
    });
  }

  private dateBounds(v: JsonValue, path: string, customFormat: boolean): void {
    if (!this.object(v, path, 'bounds')) return;
    this.keys(v, path, ['min', 'max'], 'bounds');
    for (const k of ['min', 'max'].filter((x) => x in v)) {
      const reason = typeof v[k] === 'number' ? null : checkDateValue(v[k], customFormat);
      if (reason) this.problem(childPath(path, k), reason);
    }
  }

  private metricAgg(type: string, b: JsonValue, path: string): void {
    if (!this.object(b, path, type)) return;
    const fieldParams = ['field', 'missing', 'script', 'format', 'value_type'];
    const allowed: Record<string, string[]> = {
      cardinality: [...fieldParams, 'precision_threshold'],
      extended_stats: [...fieldParams, 'sigma'],
      percentiles: [...fieldParams, 'percents', 'keyed', 'tdigest', 'hdr'],
      percentile_ranks: [...fieldParams, 'values', 'keyed', 'tdigest', 'hdr'],
      median_absolute_deviation: [...fieldParams, 'compression'],
      top_hits: ['size', 'from', 'sort', '_source', 'highlight', 'explain', 'version', 'seq_no_primary_term', 'docvalue_fields', 'stored_fields'],
      weighted_avg: ['value', 'weight', 'format', 'value_type'],
      geo_bounds: ['field', 'wrap_longitude'],
    };
    this.keys(b, path, allowed[type] ?? fieldParams, type);
    if (type === 'top_hits') {
      if ('size' in b) this.nonNegativeInt(b.size, childPath(path, 'size'), 'top_hits "size"');
      if ('sort' in b) this.sort(b.sort, childPath(path, 'sort'));
      if ('_source' in b) this.source(b._source, childPath(path, '_source'));
      return;
    }
    if (type === 'weighted_avg' || type === 'geo_bounds') return;
    if (!('field' in b) && !('script' in b)) {
      this.problem(path, `${type} needs "field"`);
      return;
    }
    if (!('field' in b)) return;
    const fp = childPath(path, 'field');
    const accept: FieldKind[] | undefined =
      type === 'cardinality' || type === 'value_count' ? undefined
        : type === 'min' || type === 'max' ? ['numeric', 'date']
          : ['numeric'];
    this.aggregatableField(b.field, fp, `${type} aggregation`, accept);
    if (type === 'percentiles' && 'percents' in b && (!Array.isArray(b.percents) || b.percents.some((x) => typeof x !== 'number' || x < 0 || x > 100))) {
      this.problem(childPath(path, 'percents'), '"percents" must be an array of numbers between 0 and 100');
    }
    if (type === 'cardinality' && 'precision_threshold' in b) this.nonNegativeInt(b.precision_threshold, childPath(path, 'precision_threshold'), '"precision_threshold"');
  }

  private pipelineAgg(type: string, b: JsonValue, path: string): void {
    if (!this.object(b, path, type)) return;
    if (type === 'bucket_sort') {
      this.keys(b, path, ['sort', 'from', 'size', 'gap_policy'], type);
      return;
    }
    const params = ['buckets_path', 'gap_policy', 'format', 'script', 'window', 'shift', 'model', 'settings', 'unit', 'lag', 'sigma', 'predict', 'minimize'];
    this.keys(b, path, params, type);
    if (!('buckets_path' in b)) this.problem(path, `${type} needs "buckets_path"`);
    else if (typeof b.buckets_path !== 'string' && !isObj(b.buckets_path)) this.problem(childPath(path, 'buckets_path'), '"buckets_path" must be a string like "sales_per_month>total"');
  }
}
