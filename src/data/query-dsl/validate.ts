// Structural validation of an OpenSearch search request body (Query DSL). The names and value kinds come from one
// table (spec.ts: every query, aggregation and body key of OpenSearch core, its bundled modules and the common
// plugins); this file walks the request, checks each object against its table entry, and adds the rules a table
// cannot say (range bounds and date math, bool clause lists, intervals, sorts, bucket orders, nesting rules). Each
// problem names its JSON path and, when the text is at hand, its line and column; field names are checked against
// the index schema when there is one. While walking, it records which clause and aggregation types the request uses.
//
// Keys come from the input, so they are only ever looked up in Maps or after an own-property check: a query named
// "constructor" or "__proto__" is an unknown query type, not a property of Object.prototype.
//
// The rules follow what OpenSearch itself rejects (unknown clauses and parameters, metric aggregations with
// sub-aggregations, terms aggregations or sorts on analysed text fields, unparseable dates), not style preferences.

import type { IndexSchema, RowValidity, TextPosition, ValidationProblem } from '../records';
import { CALENDAR_INTERVALS, checkDateValue, isFixedInterval, usesDateMath } from './date-math';
import { FieldResolver, didYouMean, type FieldKind } from './fields';
import { childPath, lineIndex, parseJson, type JsonValue } from './json-parse';
import {
  AGGREGATIONS, AGG_META_KEYS, COLLAPSE, COMPOSITE_SOURCES, DECAY_FIELD, EXT_SECTIONS, FIELD_SORT, FIELD_VALUE_FACTOR, GEO_DISTANCE_SORT, HIGHLIGHT,
  HIGHLIGHT_FIELD, INNER_HITS,
  INTERVAL_FILTERS, INTERVAL_RULES, MULTI_TERM_QUERY_TYPES, NESTED_SORT, PIT, PLUGINS, QUERIES, RANDOM_SCORE_FUNCTION, RESCORE,
  RESCORE_QUERY, SCORE_FUNCTION_PARAMS, SCORE_FUNCTIONS, SCORE_MODES, BOOST_MODES, SCRIPT, SCRIPT_FIELD, SCRIPT_SCORE_FUNCTION, SCRIPT_SORT, SEARCH_BODY, SLICE, SPAN_QUERY_TYPES,
  type AggSpec, type ParamKind, type Params, type PluginName, type QuerySpec,
} from './spec';

type Obj = { [key: string]: JsonValue };

export interface QueryDslAnalysis {
  validity: RowValidity;
  /** Clause and aggregation types used, sorted (see clauseCoverage). */
  coverage: string[];
  /** The parsed request when it parses. */
  value?: JsonValue;
}

export interface QueryDslOptions {
  /**
   * Plugins the cluster has (keys of PLUGINS: knn, neural-search, geospatial, ml-commons; a query type such as
   * "neural" or "hybrid" also names its plugin). Syntax of other plugins is reported as "needs plugin X".
   */
  plugins?: readonly string[];
}

const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, key: string): boolean => Object.hasOwn(o, key);
const get = (o: Obj, key: string): JsonValue | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);
const isScalar = (v: JsonValue | undefined): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const kindOf = (v: JsonValue | undefined): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
/** A name or value as shown in a message: quoted, and cut short when long (a 4 MB key must not make a 4 MB message). */
const shown = (v: JsonValue | undefined): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : isObj(v) || Array.isArray(v) ? kindOf(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 60)}…" (${s.length} characters)` : s;
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** Parameters that count things: a negative value is refused by OpenSearch. */
const NON_NEGATIVE = new Set(['size', 'from', 'shard_size', 'min_doc_count', 'shard_min_doc_count', 'terminate_after', 'precision_threshold',
  'max_children', 'min_children', 'window_size', 'buckets', 'max_doc_count', 'slop', 'max_expansions', 'prefix_length', 'window', 'k']);
/** Top-level keys recorded in the coverage. */
const COVERED_KEYS = new Set(['query', 'post_filter', 'size', 'from', 'sort', '_source', 'track_total_hits', 'terminate_after']);
const SORT_ORDERS = ['asc', 'desc'];
const SORT_MODES = ['min', 'max', 'sum', 'avg', 'median'];
const MULTI_MATCH_TYPES = ['best_fields', 'boolean', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix', 'bool_prefix'];
const RELATIONS = ['intersects', 'contains', 'within', 'disjoint'];
const BOOL_OCCURS = ['must', 'should', 'filter', 'must_not'];
const RULE_REQUIRES = new Map([['match', 'query'], ['prefix', 'prefix'], ['wildcard', 'pattern'], ['fuzzy', 'term'], ['all_of', 'intervals'], ['any_of', 'intervals']]);
/** Plugin names a user may write instead of the plugin id. */
const PLUGIN_ALIASES = new Map<string, PluginName>([
  ['k-nn', 'knn'], ['neural', 'neural-search'], ['neural_sparse', 'neural-search'], ['hybrid', 'neural-search'], ['neural_search', 'neural-search'],
  ['ml', 'ml-commons'], ['ml_commons', 'ml-commons'],
]);

/** The plugin ids named by a `plugins` option (ids, aliases or query type names; unknown names are ignored). */
export function resolvePlugins(names: readonly string[] = []): Set<PluginName> {
  const out = new Set<PluginName>();
  for (const raw of names) {
    const n = raw.trim().toLowerCase();
    if (Object.hasOwn(PLUGINS, n)) out.add(n as PluginName);
    const alias = PLUGIN_ALIASES.get(n) ?? QUERIES.get(n)?.plugin ?? AGGREGATIONS.get(n)?.plugin;
    if (alias) out.add(alias);
  }
  return out;
}

export class QueryDslValidator {
  private problems: ValidationProblem[] = [];
  private used = new Set<string>();
  private readonly fields: FieldResolver | null;
  private readonly plugins: Set<PluginName>;
  private offsets = new Map<string, number>();
  private position: (offset: number) => TextPosition = (offset) => ({ offset, line: 1, column: offset + 1 });

  constructor(schema: IndexSchema | null, options: QueryDslOptions = {}) {
    this.fields = schema ? new FieldResolver(schema) : null;
    this.plugins = resolvePlugins(options.plugins);
  }

  /** Parses and validates `text`. */
  analyze(text: string): QueryDslAnalysis {
    this.problems = [];
    this.used = new Set();
    const parsed = parseJson(text);
    if (!parsed.ok) {
      return {
        validity: { parses: false, valid: false, problems: [{ path: '$', message: `not valid JSON: ${parsed.error.message}`, position: parsed.error.position }] },
        coverage: [],
      };
    }
    this.offsets = parsed.offsets;
    this.position = lineIndex(text);
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
    this.problems.push(offset === undefined ? { path, message } : { path, message, position: this.position(offset) });
  }

  // ---- table-driven checks ----

  private object(v: JsonValue | undefined, path: string, what: string): v is Obj {
    if (isObj(v)) return true;
    this.problem(path, `${what} must be an object, got ${kindOf(v)}`);
    return false;
  }

  /** Checks an object against a parameter table: unknown keys (with a hint), then the value of each known key. */
  private params(obj: Obj, path: string, params: Params, what: string, skip?: (key: string) => boolean): void {
    for (const key of Object.keys(obj)) {
      if (skip?.(key)) continue;
      const p = childPath(path, key);
      if (!Object.hasOwn(params, key)) {
        this.problem(p, `unknown parameter ${shown(key)} in ${what}${didYouMean(key, Object.keys(params))}`);
        continue;
      }
      this.value(params[key], obj[key], p, `${what} "${key}"`, key);
    }
  }

  private required(obj: Obj, path: string, groups: QuerySpec['required'], what: string): void {
    for (const group of groups ?? []) {
      if (!group.some((k) => has(obj, k))) this.problem(path, `${what} needs ${group.map((k) => `"${k}"`).join(' or ')}`);
    }
  }

  private value(kind: ParamKind, v: JsonValue, path: string, what: string, key = ''): void {
    switch (kind) {
      case 'any':
        return;
      case 'bool':
        if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') this.problem(path, `${what} must be true or false, got ${shown(v)}`);
        return;
      case 'number':
        if (!(typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))))) this.problem(path, `${what} must be a number, got ${shown(v)}`);
        return;
      case 'int':
        this.int(v, path, what, NON_NEGATIVE.has(key) ? 0 : INT_MIN);
        return;
      case 'scalar':
        if (!isScalar(v)) this.problem(path, `${what} must be a string or a number, got ${kindOf(v)}`);
        return;
      case 'strings':
        if (!(isScalar(v) || (Array.isArray(v) && v.every(isScalar)))) this.problem(path, `${what} must be a string or an array of strings`);
        return;
      case 'object':
        this.object(v, path, what);
        return;
      case 'array':
        if (!Array.isArray(v)) this.problem(path, `${what} must be an array, got ${kindOf(v)}`);
        return;
      case 'query':
        this.query(v, path);
        return;
      case 'queries':
        if (Array.isArray(v)) v.forEach((q, i) => this.query(q, childPath(path, i)));
        else this.query(v, path);
        return;
      case 'query_map':
        if (Array.isArray(v)) v.forEach((q, i) => this.query(q, childPath(path, i)));
        else if (isObj(v)) for (const k of Object.keys(v)) this.query(v[k], childPath(path, k));
        else this.problem(path, `${what} must be an object of named queries or an array of queries, got ${kindOf(v)}`);
        return;
      case 'span':
        this.query(v, path, 'span');
        return;
      case 'spans':
        if (!Array.isArray(v) || v.length === 0) this.problem(path, `${what} must be a non-empty array of span queries`);
        else v.forEach((q, i) => this.query(q, childPath(path, i), 'span'));
        return;
      case 'field':
        this.field(v, path);
        return;
      case 'fields':
        this.fieldPatterns(v, path, what);
        return;
      case 'script':
        this.script(v, path, what);
        return;
      case 'sort':
        this.sort(v, path);
        return;
      case 'source':
        this.source(v, path);
        return;
      case 'inner_hits':
        if (this.object(v, path, what)) this.params(v, path, INNER_HITS, 'inner_hits');
        return;
      case 'score_function':
        this.scoreFunction(v, path);
        return;
      case 'decay':
        this.decay(v, path, what);
        return;
      case 'interval_rule':
        this.intervalRule(v, path);
        return;
      case 'highlight':
        this.highlight(v, path);
        return;
    }
  }

  /** A Java int (OpenSearch reads these with intValue()), at least `min`; numeric strings are coerced, as OpenSearch does. */
  private int(v: JsonValue | undefined, path: string, what: string, min: number): void {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > INT_MAX) {
      this.problem(path, `${what} must be a whole number from ${min} to ${INT_MAX} (OpenSearch reads an int), got ${shown(v)}`);
    }
  }

  private needsPlugin(plugin: PluginName | undefined, path: string, what: string): boolean {
    if (!plugin || this.plugins.has(plugin)) return false;
    this.problem(path, `${what} needs plugin ${plugin} (${PLUGINS[plugin]}): allow it with plugins: ["${plugin}"] when the cluster has it`);
    return true;
  }

  // ---- fields ----

  /** Resolves a field name against the schema (no-op without a schema). Returns its kind, or null if unknown. */
  private field(name: JsonValue | undefined, path: string): FieldKind | 'unchecked' | null {
    if (typeof name !== 'string' || name === '') {
      this.problem(path, `field name must be a non-empty string, got ${kindOf(name)}`);
      return null;
    }
    if (!this.fields) return 'unchecked';
    if (name.includes('*')) return this.fields.matchPattern(name).length > 0 ? 'unchecked' : this.noMatch(name, path);
    const r = this.fields.resolve(name);
    if ('error' in r) {
      this.problem(path, r.error);
      return null;
    }
    return r.kind;
  }

  private noMatch(pattern: string, path: string): null {
    this.problem(path, `pattern ${shown(pattern)} matches no field in index "${this.fields!.schema.index}"`);
    return null;
  }

  /** A field used for aggregating or sorting: analysed text has no doc values there. */
  private aggregatableField(name: JsonValue | undefined, path: string, what: string, accept?: readonly string[]): void {
    const kind = this.field(name, path);
    if (kind === null || kind === 'unchecked') return;
    if (kind === 'text') {
      const hint = this.fields!.resolve(`${String(name)}.keyword`);
      this.problem(path, `${what} on text field ${shown(name)} is not allowed (no doc values)${'error' in hint ? '' : `: use "${String(name)}.keyword"`}`);
    } else if (accept && !accept.includes(kind)) {
      this.problem(path, `${what} needs a ${accept.join(' or ')} field, but ${shown(name)} is ${kind}`);
    }
  }

  private fieldPatterns(v: JsonValue, path: string, what: string): void {
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
    if (!list || list.some((f) => typeof f !== 'string')) {
      this.problem(path, `${what} must be an array of field names (optionally with ^boost)`);
      return;
    }
    list.forEach((f, i) => {
      const name = (f as string).replace(/\^\d+(\.\d+)?$/, '');
      if (this.fields && name !== '*') this.field(name, Array.isArray(v) ? childPath(path, i) : path);
    });
  }

  // ---- request ----

  private request(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'the search request')) return;
    if (Object.keys(v).length === 0) this.problem(path, 'empty search request');
    if (has(v, 'aggs') && has(v, 'aggregations')) this.problem(path, 'use either "aggs" or "aggregations", not both');
    this.params(v, path, SEARCH_BODY, 'the search request', (k) => k === 'aggs' || k === 'aggregations' || k === 'ext' || k === 'track_total_hits');
    for (const k of Object.keys(v)) {
      const val = v[k];
      const p = childPath(path, k);
      if (COVERED_KEYS.has(k)) this.used.add(k);
      switch (k) {
        case 'aggs':
        case 'aggregations':
          this.aggs(val, p, 0);
          break;
        case 'track_total_hits':
          if (typeof val !== 'boolean') this.int(val, p, '"track_total_hits" (true, false or a number; -1 turns counting off)', -1);
          break;
        case 'ext':
          this.ext(val, p);
          break;
        case 'rescore':
          this.rescore(val, p);
          break;
        case 'script_fields':
          if (isObj(val)) for (const name of Object.keys(val)) this.scriptField(val[name], childPath(p, name));
          break;
        case 'pit':
          if (isObj(val)) {
            this.params(val, p, PIT, '"pit"');
            this.required(val, p, [['id']], '"pit"');
          }
          break;
        case 'slice':
          if (isObj(val)) {
            this.params(val, p, SLICE, '"slice"');
            this.required(val, p, [['id'], ['max']], '"slice"');
          }
          break;
        case 'collapse':
          if (isObj(val)) {
            this.params(val, p, COLLAPSE, '"collapse"');
            this.required(val, p, [['field']], '"collapse"');
          }
          break;
        case 'search_pipeline':
          if (typeof val !== 'string' && !isObj(val)) this.problem(p, `"search_pipeline" must be a pipeline name or a pipeline definition, got ${kindOf(val)}`);
          break;
        case 'indices_boost':
          if (!isObj(val) && !(Array.isArray(val) && val.every(isObj))) this.problem(p, '"indices_boost" must be an array of {"<index>": boost}');
          break;
        default:
          break;
      }
    }
  }

  private ext(v: JsonValue, path: string): void {
    if (!this.object(v, path, '"ext"')) return;
    for (const section of Object.keys(v)) {
      const plugin = EXT_SECTIONS.get(section);
      const p = childPath(path, section);
      if (plugin) this.needsPlugin(plugin, p, `"ext.${section}"`);
      else if (this.plugins.size === 0) this.problem(p, `"ext.${section.length > 60 ? `${section.slice(0, 60)}…` : section}" is read by a plugin; none is enabled (known sections: ${[...EXT_SECTIONS.keys()].join(', ')})`);
    }
  }

  private rescore(v: JsonValue, path: string): void {
    const items = Array.isArray(v) ? v : [v];
    items.forEach((r, i) => {
      const p = Array.isArray(v) ? childPath(path, i) : path;
      if (!this.object(r, p, 'a rescore')) return;
      this.params(r, p, RESCORE, 'rescore');
      const q = get(r, 'query');
      if (q === undefined) this.problem(p, 'rescore needs "query"');
      else if (isObj(q)) {
        const qp = childPath(p, 'query');
        this.params(q, qp, RESCORE_QUERY, 'rescore "query"');
        this.required(q, qp, [['rescore_query']], 'rescore "query"');
      }
    });
  }

  private scriptField(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'a script field')) return;
    this.params(v, path, SCRIPT_FIELD, 'script_fields');
    this.required(v, path, [['script']], 'a script field');
  }

  /** Highlight options; field names are not checked (OpenSearch skips fields it cannot highlight). */
  private highlight(v: JsonValue, path: string): void {
    if (!this.object(v, path, '"highlight"')) return;
    this.params(v, path, HIGHLIGHT, 'highlight');
    const fields = get(v, 'fields');
    if (fields === undefined) return;
    const fp = childPath(path, 'fields');
    const groups = Array.isArray(fields) ? fields.map((f, i) => [f, childPath(fp, i)] as const) : [[fields, fp] as const];
    for (const [group, gp] of groups) {
      if (!this.object(group, gp, 'highlight "fields"')) continue;
      for (const name of Object.keys(group)) {
        const opts = group[name];
        const np = childPath(gp, name);
        if (this.object(opts, np, `highlight options of ${shown(name)}`)) this.params(opts, np, HIGHLIGHT_FIELD, 'highlight field');
      }
    }
  }

  private script(v: JsonValue, path: string, what: string): void {
    if (typeof v === 'string') return;
    if (!this.object(v, path, what)) return;
    this.params(v, path, SCRIPT, 'a script');
    this.required(v, path, [['source', 'inline', 'id']], 'a script');
  }

  // ---- queries ----

  /** One query: {type: body}. `only` restricts the types (span clauses, span_multi's multi-term query). */
  query(v: JsonValue | undefined, path: string, only?: 'span' | 'multi_term'): void {
    if (!this.object(v, path, 'a query')) return;
    const types = Object.keys(v);
    if (types.length !== 1) {
      this.problem(path, types.length === 0
        ? 'empty query: expected one clause such as {"match": ...} or {"bool": ...}'
        : `a query object holds exactly one clause, got ${types.map(shown).join(', ')} (combine them with bool)`);
    }
    for (const type of types) {
      const p = childPath(path, type);
      const spec = QUERIES.get(type);
      if (!spec) {
        this.problem(p, `unknown query type ${shown(type)}${didYouMean(type, QUERIES.keys())}`);
        continue;
      }
      if (only === 'span' && !SPAN_QUERY_TYPES.has(type)) this.problem(p, `a span query is needed here (${[...SPAN_QUERY_TYPES].join(', ')}), got "${type}"`);
      if (only === 'multi_term' && !MULTI_TERM_QUERY_TYPES.has(type)) this.problem(p, `span_multi wraps a ${[...MULTI_TERM_QUERY_TYPES].join(', ')} query, got "${type}"`);
      if (this.needsPlugin(spec.plugin, p, `query type "${type}"`)) continue;
      this.used.add(type);
      this.queryBody(type, spec, v[type], p);
    }
  }

  private queryBody(type: string, spec: QuerySpec, body: JsonValue, path: string): void {
    if (!this.object(body, path, type)) return;
    if (spec.form === 'object') {
      if (type !== 'template') this.params(body, path, spec.params, type);
      this.required(body, path, spec.required, type);
      this.queryRules(type, body, path);
      return;
    }
    const outer = spec.outer ?? {};
    const names = Object.keys(body).filter((k) => !Object.hasOwn(outer, k));
    // geo_distance also takes its point as "<field>.lat" and "<field>.lon": two keys, one field.
    const fieldCount = type === 'geo_distance' ? new Set(names.map((n) => n.replace(/\.(lat|lon)$/, ''))).size : names.length;
    if (fieldCount !== 1) {
      this.problem(path, `${type} takes exactly one field, got ${names.length === 0 ? 'none' : names.map(shown).join(', ')}`);
    }
    this.params(body, path, outer, type, (k) => !Object.hasOwn(outer, k));
    if (spec.form === 'field_value') this.required(body, path, spec.required, type);
    for (const name of names) {
      const fp = childPath(path, name);
      const v = body[name];
      if (type === 'geo_distance' && /\.(lat|lon)$/.test(name)) this.field(name.replace(/\.(lat|lon)$/, ''), fp);
      else if (type !== 'range') this.field(name, fp);
      if (isObj(v) && (spec.form === 'field' || Object.keys(spec.params).length > 0)) {
        this.params(v, fp, spec.params, type);
        if (spec.form === 'field') this.required(v, fp, spec.required, type);
      } else if (spec.form === 'field') {
        this.shorthand(type, spec, v, fp);
      } else if (Object.keys(spec.params).length > 0 && type !== 'terms') {
        this.problem(fp, `${type} on ${shown(name)} must be an object, got ${kindOf(v)}`);
      }
      this.fieldQueryRules(type, name, v, fp);
    }
  }

  private shorthand(type: string, spec: QuerySpec, v: JsonValue, path: string): void {
    const ok = spec.shorthand === 'scalar' ? isScalar(v) : spec.shorthand === 'int' ? Number.isInteger(v) : spec.shorthand === 'array' ? Array.isArray(v) : false;
    if (ok) return;
    const expected = spec.shorthand === 'scalar' ? 'a single value or an object of parameters' : spec.shorthand === 'int' ? 'a whole number' : 'an object of parameters';
    this.problem(path, `${type} value must be ${expected}, got ${kindOf(v)}${type === 'term' && Array.isArray(v) ? ' (use terms for several values)' : ''}`);
  }

  /** Rules for object-form queries beyond the table. */
  private queryRules(type: string, body: Obj, path: string): void {
    switch (type) {
      case 'bool': {
        for (const occur of BOOL_OCCURS) if (has(body, occur)) this.used.add(`bool.${occur}`);
        const msm = get(body, 'minimum_should_match');
        if (msm !== undefined && typeof msm !== 'number' && !(typeof msm === 'string' && /^\s*(-?\d+%?|(\d+<-?\d+%?\s*)+)\s*$/.test(msm))) {
          this.problem(childPath(path, 'minimum_should_match'), `"minimum_should_match" must be a number or a string like "75%", got ${shown(msm)}`);
        }
        break;
      }
      case 'multi_match': {
        const t = get(body, 'type');
        if (typeof t === 'string' && !MULTI_MATCH_TYPES.includes(t.toLowerCase())) this.problem(childPath(path, 'type'), `multi_match "type" must be one of ${MULTI_MATCH_TYPES.join(', ')}, got ${shown(t)}`);
        this.operator(body, path);
        break;
      }
      case 'query_string': {
        const df = get(body, 'default_field');
        if (typeof df === 'string' && df !== '*' && this.fields) this.field(df, childPath(path, 'default_field'));
        break;
      }
      case 'nested': {
        const kind = this.fields && has(body, 'path') ? this.fields.resolve(String(body.path)) : null;
        if (kind && !('error' in kind) && kind.kind !== 'nested') this.problem(childPath(path, 'path'), `${shown(body.path)} is not a nested field (it is ${kind.kind})`);
        break;
      }
      case 'function_score': {
        const single = SCORE_FUNCTIONS.filter((k) => has(body, k));
        if (single.length > 1) this.problem(path, `function_score holds one function, got ${single.join(', ')} (use a "functions" array for several)`);
        if (single.length > 0 && has(body, 'functions')) this.problem(path, `function_score has both "${single[0]}" and a "functions" array: use one or the other`);
        if (has(body, 'functions') && Array.isArray(body.functions)) body.functions.forEach((f, i) => this.scoreFunction(f, childPath(childPath(path, 'functions'), i)));
        this.scoreFunctionParts(body, path);
        this.modeOf(body, 'score_mode', SCORE_MODES, path);
        this.modeOf(body, 'boost_mode', BOOST_MODES, path);
        break;
      }
      case 'span_multi':
        if (has(body, 'match')) this.query(body.match, childPath(path, 'match'), 'multi_term');
        break;
      case 'dis_max':
        if (has(body, 'queries') && !Array.isArray(body.queries)) this.problem(childPath(path, 'queries'), 'dis_max needs "queries": an array of queries');
        break;
      default:
        break;
    }
  }

  /** Rules for one field's value in field-form queries beyond the table. */
  private fieldQueryRules(type: string, name: string, v: JsonValue, path: string): void {
    switch (type) {
      case 'match':
      case 'match_bool_prefix':
        if (isObj(v)) this.operator(v, path);
        break;
      case 'term':
      case 'prefix':
      case 'wildcard':
      case 'regexp':
      case 'fuzzy':
      case 'span_term':
        if (isObj(v)) {
          const keys = type === 'wildcard' ? ['value', 'wildcard'] : type === 'span_term' ? ['value', 'term'] : ['value'];
          const key = keys.find((k) => has(v, k));
          if (key === undefined) this.problem(path, `${type} needs "value"`);
          else if (!isScalar(v[key])) this.problem(childPath(path, key), `${type} "${key}" must be a single value, got ${kindOf(v[key])}${type === 'term' && Array.isArray(v[key]) ? ' (use terms for several values)' : ''}`);
        }
        break;
      case 'terms':
        if (isObj(v)) this.required(v, path, [['index'], ['id', 'query'], ['path']], 'a terms lookup');
        else if (!Array.isArray(v) || v.length === 0) this.problem(path, `terms needs a non-empty array of values, got ${kindOf(v)}`);
        else v.forEach((x, i) => {
          if (!isScalar(x)) this.problem(childPath(path, i), `terms values must be single values, got ${kindOf(x)}`);
        });
        break;
      case 'terms_set':
        if (isObj(v) && has(v, 'minimum_should_match_field') && has(v, 'minimum_should_match_script')) {
          this.problem(path, 'terms_set takes "minimum_should_match_field" or "minimum_should_match_script", not both');
        }
        break;
      case 'range':
        if (isObj(v)) this.range(name, v, path);
        else this.problem(path, `range on ${shown(name)} must be an object of bounds, got ${kindOf(v)}`);
        break;
      case 'geo_shape':
      case 'xy_shape':
        if (isObj(v)) {
          this.required(v, path, [['shape', 'indexed_shape']], type);
          this.relation(v, path);
        }
        break;
      case 'intervals':
        if (isObj(v)) {
          const rules = Object.keys(v).filter((k) => INTERVAL_RULES.has(k));
          if (rules.length !== 1) this.problem(path, `intervals takes exactly one rule (${[...INTERVAL_RULES.keys()].join(', ')}), got ${rules.length}`);
          for (const r of rules) this.intervalBody(r, v[r], childPath(path, r));
        } else {
          this.problem(path, `intervals on ${shown(name)} must be an object holding one rule, got ${kindOf(v)}`);
        }
        break;
      default:
        break;
    }
  }

  private operator(v: Obj, path: string): void {
    const op = get(v, 'operator');
    if (op !== undefined && !(typeof op === 'string' && ['and', 'or'].includes(op.toLowerCase()))) this.problem(childPath(path, 'operator'), `"operator" must be and or or, got ${shown(op)}`);
  }

  private relation(v: Obj, path: string): void {
    const rel = get(v, 'relation');
    if (rel !== undefined && !(typeof rel === 'string' && RELATIONS.includes(rel.toLowerCase()))) {
      this.problem(childPath(path, 'relation'), `"relation" must be one of ${RELATIONS.join(', ')} (any case), got ${shown(rel)}`);
    }
  }

  /** A range query on one field: its bounds checked against the field's type (and date math). */
  private range(name: string, v: Obj, path: string): void {
    const kind = this.field(name, path);
    const bounds = ['gt', 'gte', 'lt', 'lte', 'from', 'to'].filter((k) => has(v, k));
    if (bounds.length === 0) this.problem(path, 'range needs at least one of gt, gte, lt, lte');
    if (has(v, 'gt') && has(v, 'gte')) this.problem(path, 'range has both gt and gte');
    if (has(v, 'lt') && has(v, 'lte')) this.problem(path, 'range has both lt and lte');
    // Without a schema the field's date format is unknown, so an explicit date before || is not checked.
    const customFormat = has(v, 'format') || !this.fields;
    for (const k of bounds) this.bound(v[k], childPath(path, k), kind, customFormat);
    this.relation(v, path);
  }

  private bound(v: JsonValue, path: string, kind: FieldKind | 'unchecked' | null, customFormat: boolean): void {
    if (v === null) return; // null means unbounded
    if (kind === 'date' || (kind === 'unchecked' && typeof v === 'string' && usesDateMath(v))) {
      const reason = checkDateValue(v, customFormat);
      if (reason) this.problem(path, reason);
      if (typeof v === 'string' && usesDateMath(v)) this.used.add('range.date_math');
    } else if (kind === 'numeric') {
      if (typeof v !== 'number' && !(typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))) {
        this.problem(path, `a bound on a numeric field must be a number, got ${shown(v)}`);
      }
    } else if (!isScalar(v)) {
      this.problem(path, `a range bound must be a number or a string, got ${kindOf(v)}`);
    }
  }

  private scoreFunction(f: JsonValue, path: string): void {
    if (!this.object(f, path, 'a score function')) return;
    this.params(f, path, SCORE_FUNCTION_PARAMS, 'a score function');
    const fns = SCORE_FUNCTIONS.filter((k) => k !== 'weight' && has(f, k));
    if (fns.length > 1) this.problem(path, `a functions entry holds one function, got ${fns.join(', ')}`);
    if (fns.length === 0 && !has(f, 'weight')) this.problem(path, `a functions entry needs a function (${SCORE_FUNCTIONS.join(', ')})`);
    this.scoreFunctionParts(f, path);
  }

  private modeOf(body: Obj, key: string, modes: readonly string[], path: string): void {
    const v = get(body, key);
    if (v !== undefined && !(typeof v === 'string' && modes.includes(v.toLowerCase()))) this.problem(childPath(path, key), `"${key}" must be one of ${modes.join(', ')}, got ${shown(v)}`);
  }

  /** The function parts (script_score, random_score, field_value_factor) of a function or of function_score itself. */
  private scoreFunctionParts(f: Obj, path: string): void {
    const parts: [string, Params][] = [['script_score', SCRIPT_SCORE_FUNCTION], ['random_score', RANDOM_SCORE_FUNCTION], ['field_value_factor', FIELD_VALUE_FACTOR]];
    for (const [k, params] of parts) {
      const v = get(f, k);
      if (isObj(v)) this.params(v, childPath(path, k), params, k);
    }
  }

  private decay(v: JsonValue, path: string, what: string): void {
    if (!this.object(v, path, what)) return;
    const names = Object.keys(v).filter((k) => k !== 'multi_value_mode');
    if (names.length !== 1) this.problem(path, `${what} takes exactly one field, got ${names.length}`);
    for (const name of names) {
      const p = childPath(path, name);
      this.field(name, p);
      if (this.object(v[name], p, `${what} on ${shown(name)}`)) {
        this.params(v[name] as Obj, p, DECAY_FIELD, what);
        this.required(v[name] as Obj, p, [['scale']], what);
      }
    }
  }

  /** {rule: body} as found in all_of/any_of lists and interval filters. */
  private intervalRule(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'an interval rule')) return;
    const names = Object.keys(v);
    if (names.length !== 1) this.problem(path, `an interval rule holds exactly one of ${[...INTERVAL_RULES.keys()].join(', ')}`);
    for (const n of names) {
      if (INTERVAL_RULES.has(n)) this.intervalBody(n, v[n], childPath(path, n));
      else this.problem(childPath(path, n), `unknown interval rule ${shown(n)}${didYouMean(n, INTERVAL_RULES.keys())}`);
    }
  }

  private intervalBody(rule: string, v: JsonValue, path: string): void {
    if (!this.object(v, path, `intervals "${rule}"`)) return;
    this.params(v, path, INTERVAL_RULES.get(rule)!, `intervals "${rule}"`);
    const required = RULE_REQUIRES.get(rule);
    if (required !== undefined && !has(v, required)) this.problem(path, `intervals "${rule}" needs "${required}"`);
    const list = get(v, 'intervals');
    if (Array.isArray(list)) list.forEach((r, i) => this.intervalRule(r, childPath(childPath(path, 'intervals'), i)));
    const filter = get(v, 'filter');
    if (isObj(filter)) this.params(filter, childPath(path, 'filter'), INTERVAL_FILTERS, 'an interval filter');
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
      for (const name of names) this.sortEntry(name, item[name], childPath(p, name));
    });
  }

  private sortEntry(name: string, spec: JsonValue, path: string): void {
    if (name === '_script') {
      if (!this.object(spec, path, '_script sort')) return;
      this.params(spec, path, SCRIPT_SORT, '_script sort');
      this.required(spec, path, [['script'], ['type']], '_script sort');
      this.sortOptions(spec, path);
      return;
    }
    if (name === '_geo_distance' || name === '_geoDistance') {
      if (!this.object(spec, path, '_geo_distance sort')) return;
      const fields = Object.keys(spec).filter((k) => !Object.hasOwn(GEO_DISTANCE_SORT, k));
      if (fields.length !== 1) this.problem(path, `_geo_distance sort takes exactly one field with its origin point(s), got ${fields.length}`);
      for (const f of fields) this.field(f, childPath(path, f));
      this.params(spec, path, GEO_DISTANCE_SORT, '_geo_distance sort', (k) => !Object.hasOwn(GEO_DISTANCE_SORT, k));
      this.sortOptions(spec, path);
      return;
    }
    if (name !== '_score' && name !== '_doc') this.aggregatableField(name, path, 'sort');
    if (typeof spec === 'string') {
      this.order(spec, path);
    } else if (isObj(spec)) {
      this.params(spec, path, FIELD_SORT, 'sort');
      this.sortOptions(spec, path);
    } else {
      this.problem(path, `sort order must be "asc", "desc" or an object, got ${kindOf(spec)}`);
    }
  }

  private order(v: JsonValue, path: string): void {
    if (!(typeof v === 'string' && SORT_ORDERS.includes(v.toLowerCase()))) this.problem(path, `sort order must be one of asc, desc, got ${shown(v)}`);
  }

  private sortOptions(spec: Obj, path: string): void {
    if (has(spec, 'order')) this.order(spec.order, childPath(path, 'order'));
    const mode = get(spec, 'mode');
    if (mode !== undefined && !(typeof mode === 'string' && SORT_MODES.includes(mode.toLowerCase()))) this.problem(childPath(path, 'mode'), `sort mode must be one of ${SORT_MODES.join(', ')}, got ${shown(mode)}`);
    const nested = get(spec, 'nested');
    if (isObj(nested)) this.params(nested, childPath(path, 'nested'), NESTED_SORT, 'nested sort');
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
      else if (this.fields && this.fields.matchPattern(pattern).length === 0 && !this.isObjectPrefix(pattern)) {
        if (pattern.includes('*')) this.noMatch(pattern, p);
        else this.field(pattern, p);
      }
    });
  }

  /** `_source: ["user"]` selects the sub-fields of an object field even when only "user.name" is in the schema. */
  private isObjectPrefix(pattern: string): boolean {
    const prefix = `${pattern.replace(/\*$/, '')}.`;
    return this.fields!.allNames().some((n) => n.startsWith(prefix));
  }

  private source(v: JsonValue, path: string): void {
    if (typeof v === 'boolean') return;
    if (isObj(v)) {
      this.params(v, path, { includes: 'any', excludes: 'any', include: 'any', exclude: 'any' }, '_source');
      for (const k of Object.keys(v)) this.sourcePatterns(v[k], childPath(path, k));
      return;
    }
    this.sourcePatterns(v, path);
  }

  // ---- aggregations ----

  private aggs(v: JsonValue | undefined, path: string, depth: number): void {
    if (!this.object(v, path, 'aggregations')) return;
    if (depth > 0) this.used.add('aggs.sub_aggregations');
    for (const name of Object.keys(v)) {
      const p = childPath(path, name);
      if (name === '' || /[[\]>]/.test(name)) this.problem(p, `aggregation name ${shown(name)} must be non-empty and may not contain [, ] or >`);
      this.aggregation(v[name], p, depth);
    }
  }

  private aggregation(def: JsonValue, path: string, depth: number): void {
    if (!this.object(def, path, 'an aggregation')) return;
    const types = Object.keys(def).filter((k) => !AGG_META_KEYS.has(k));
    if (types.length !== 1) {
      this.problem(path, types.length === 0
        ? 'aggregation has no type: expected e.g. {"terms": {...}} or {"avg": {...}}'
        : `an aggregation has exactly one type, got ${types.map(shown).join(', ')} (nest others under "aggs")`);
    }
    if (has(def, 'aggs') && has(def, 'aggregations')) this.problem(path, 'use either "aggs" or "aggregations", not both');
    const subKey = has(def, 'aggs') ? 'aggs' : has(def, 'aggregations') ? 'aggregations' : null;
    if (has(def, 'meta') && !isObj(def.meta)) this.problem(childPath(path, 'meta'), `"meta" must be an object, got ${kindOf(def.meta)}`);
    for (const type of types) {
      const p = childPath(path, type);
      const spec = AGGREGATIONS.get(type);
      if (!spec) {
        this.problem(p, `unknown aggregation type ${shown(type)}${didYouMean(type, AGGREGATIONS.keys())}`);
        continue;
      }
      if (this.needsPlugin(spec.plugin, p, `aggregation type "${type}"`)) continue;
      this.used.add(`aggs.${type}`);
      this.aggBody(type, spec, def[type], p);
      if (subKey && spec.kind !== 'bucket') this.problem(childPath(path, subKey), `${spec.kind} aggregation "${type}" cannot have sub-aggregations`);
    }
    if (subKey) this.aggs(def[subKey], childPath(path, subKey), depth + 1);
  }

  private aggBody(type: string, spec: AggSpec, b: JsonValue, path: string): void {
    if (type === 'filter') {
      this.query(b, path);
      return;
    }
    if (!this.object(b, path, type)) return;
    const { field: _field, ...rest } = spec.params;
    const hasField = Object.hasOwn(spec.params, 'field');
    this.params(b, path, hasField ? rest : spec.params, type, hasField ? (k) => k === 'field' : undefined);
    if (hasField && has(b, 'field')) {
      const fp = childPath(path, 'field');
      if (type === 'significant_text') this.field(b.field, fp);
      else this.aggregatableField(b.field, fp, `${type} aggregation`, spec.fieldKinds);
    }
    this.required(b, path, spec.required, type);
    this.aggRules(type, b, path);
  }

  /** Rules for aggregation bodies beyond the table. */
  private aggRules(type: string, b: Obj, path: string): void {
    // Without a schema the field's date format is unknown: only the date math after || is checked.
    const customFormat = has(b, 'format') || !this.fields;
    switch (type) {
      case 'terms':
      case 'multi_terms':
        if (has(b, 'order')) this.bucketOrder(b.order, childPath(path, 'order'));
        if (type === 'multi_terms' && Array.isArray(b.terms)) {
          b.terms.forEach((t, i) => {
            const tp = childPath(childPath(path, 'terms'), i);
            if (!this.object(t, tp, 'a multi_terms source')) return;
            this.params(t, tp, { field: 'any', missing: 'any', script: 'script', value_type: 'scalar', format: 'scalar' }, 'a multi_terms source', (k) => k === 'field');
            if (has(t, 'field')) this.aggregatableField(t.field, childPath(tp, 'field'), 'multi_terms');
          });
        }
        break;
      case 'date_histogram': {
        const intervals = ['calendar_interval', 'fixed_interval', 'interval'].filter((k) => has(b, k));
        if (intervals.length !== 1) this.problem(path, 'date_histogram needs exactly one of "calendar_interval" (e.g. month) or "fixed_interval" (e.g. 30d)');
        if (has(b, 'calendar_interval') && !CALENDAR_INTERVALS.has(String(b.calendar_interval))) {
          this.problem(childPath(path, 'calendar_interval'), `calendar_interval must be one of ${[...CALENDAR_INTERVALS].join(', ')}, got ${shown(b.calendar_interval)}`);
        }
        if (has(b, 'fixed_interval') && !isFixedInterval(b.fixed_interval)) {
          this.problem(childPath(path, 'fixed_interval'), `fixed_interval must be like 30d, 12h, 90m (no months or years), got ${shown(b.fixed_interval)}`);
        }
        if (has(b, 'interval') && !CALENDAR_INTERVALS.has(String(b.interval)) && !isFixedInterval(b.interval)) {
          this.problem(childPath(path, 'interval'), `bad interval ${shown(b.interval)}`);
        }
        for (const k of ['extended_bounds', 'hard_bounds']) if (has(b, k)) this.dateBounds(b[k], childPath(path, k), customFormat);
        if (has(b, 'order')) this.bucketOrder(b.order, childPath(path, 'order'));
        break;
      }
      case 'histogram':
        if (has(b, 'interval') && !(Number(b.interval) > 0)) this.problem(childPath(path, 'interval'), 'histogram "interval" must be a number > 0');
        if (has(b, 'order')) this.bucketOrder(b.order, childPath(path, 'order'));
        break;
      case 'range':
      case 'date_range':
      case 'ip_range':
      case 'geo_distance':
        if (has(b, 'ranges')) this.ranges(type, b.ranges, childPath(path, 'ranges'), customFormat);
        break;
      case 'percentiles':
      case 'percentile_ranks':
      case 'percentiles_bucket': {
        if (has(b, 'tdigest') && has(b, 'hdr')) this.problem(path, `${type} takes one method: "tdigest" or "hdr", not both`);
        const td = get(b, 'tdigest');
        if (isObj(td)) this.params(td, childPath(path, 'tdigest'), { compression: 'number' }, `${type} "tdigest"`);
        const hdr = get(b, 'hdr');
        if (isObj(hdr)) this.params(hdr, childPath(path, 'hdr'), { number_of_significant_value_digits: 'int' }, `${type} "hdr"`);
        const pc = get(b, 'percents');
        if (pc !== undefined && (!Array.isArray(pc) || pc.some((x) => typeof x !== 'number' || x < 0 || x > 100))) {
          this.problem(childPath(path, 'percents'), '"percents" must be an array of numbers between 0 and 100');
        }
        break;
      }
      case 'weighted_avg':
        for (const k of ['value', 'weight']) {
          const v = get(b, k);
          if (!isObj(v)) continue;
          const kp = childPath(path, k);
          this.params(v, kp, { field: 'any', missing: 'any', script: 'script' }, `weighted_avg "${k}"`, (x) => x === 'field');
          if (has(v, 'field')) this.aggregatableField(v.field, childPath(kp, 'field'), 'weighted_avg', ['numeric']);
          this.required(v, kp, [['field', 'script']], `weighted_avg "${k}"`);
        }
        break;
      case 'composite':
        if (Array.isArray(b.sources)) b.sources.forEach((s, i) => this.compositeSource(s, childPath(childPath(path, 'sources'), i)));
        break;
      case 'nested':
        if (this.fields && typeof b.path === 'string') {
          const r = this.fields.resolve(b.path);
          if (!('error' in r) && r.kind !== 'nested') this.problem(childPath(path, 'path'), `${shown(b.path)} is not a nested field (it is ${r.kind})`);
        }
        break;
      default:
        if (has(b, 'buckets_path')) {
          const bp = b.buckets_path;
          if (typeof bp !== 'string' && !isObj(bp) && !(Array.isArray(bp) && bp.every((x) => typeof x === 'string'))) {
            this.problem(childPath(path, 'buckets_path'), '"buckets_path" must be a string like "sales_per_month>total" (or an object of them)');
          }
        }
        break;
    }
  }

  private ranges(type: string, v: JsonValue, path: string, customFormat: boolean): void {
    if (!Array.isArray(v) || v.length === 0) {
      this.problem(path, `${type} "ranges" must be a non-empty array of {from, to, key}`);
      return;
    }
    const params: Params = type === 'ip_range' ? { from: 'any', to: 'any', key: 'scalar', mask: 'scalar' } : { from: 'any', to: 'any', key: 'scalar' };
    v.forEach((r, i) => {
      const ip = childPath(path, i);
      if (!this.object(r, ip, 'a range')) return;
      this.params(r, ip, params, `${type} range`);
      if (!has(r, 'from') && !has(r, 'to') && !has(r, 'mask')) this.problem(ip, 'a range needs "from" or "to"');
      for (const k of ['from', 'to'].filter((x) => has(r, x))) {
        const val = r[k];
        if (val === null) continue;
        if (type === 'date_range') {
          const reason = checkDateValue(val, customFormat);
          if (reason) this.problem(childPath(ip, k), reason);
          if (typeof val === 'string' && usesDateMath(val)) this.used.add('range.date_math');
        } else if (type === 'ip_range') {
          if (typeof val !== 'string') this.problem(childPath(ip, k), `ip_range "${k}" must be an IP address string`);
        } else if (typeof val !== 'number' && !(typeof val === 'string' && val.trim() !== '' && Number.isFinite(Number(val)))) {
          this.problem(childPath(ip, k), `range "${k}" must be a number`);
        }
      }
    });
  }

  private compositeSource(s: JsonValue, path: string): void {
    if (!this.object(s, path, 'a composite source')) return;
    const names = Object.keys(s);
    if (names.length !== 1) this.problem(path, `a composite source holds exactly one named source, got ${names.length}`);
    for (const name of names) {
      const np = childPath(path, name);
      const def = s[name];
      if (!this.object(def, np, 'a composite source')) continue;
      const types = Object.keys(def);
      if (types.length !== 1 || !COMPOSITE_SOURCES.has(types[0])) {
        this.problem(np, `a composite source is one of ${[...COMPOSITE_SOURCES.keys()].join(', ')}, got ${types.map(shown).join(', ') || 'none'}`);
        continue;
      }
      const t = types[0];
      const body = def[t];
      const tp = childPath(np, t);
      if (!this.object(body, tp, t)) continue;
      const { field: _f, ...rest } = COMPOSITE_SOURCES.get(t)!;
      this.params(body, tp, rest, `composite ${t}`, (k) => k === 'field');
      if (has(body, 'field')) this.aggregatableField(body.field, childPath(tp, 'field'), `composite ${t}`, AGGREGATIONS.get(t)!.fieldKinds);
      this.required(body, tp, [['field', 'script']], `composite ${t}`);
      if (has(body, 'order')) this.order(body.order, childPath(tp, 'order'));
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
      this.order(o[k], childPath(p, k));
    });
  }

  private dateBounds(v: JsonValue, path: string, customFormat: boolean): void {
    if (!this.object(v, path, 'bounds')) return;
    this.params(v, path, { min: 'any', max: 'any' }, 'bounds');
    for (const k of ['min', 'max'].filter((x) => has(v, x))) {
      const reason = typeof v[k] === 'number' ? null : checkDateValue(v[k], customFormat);
      if (reason) this.problem(childPath(path, k), reason);
    }
  }
}
