// The query half of the Query DSL validator: one query object checked against its entry in spec.ts (object form,
// one-field form, field-with-data form), plugin gating, then the rules a table cannot say: bool clause lists and
// minimum_should_match, range bounds and date math, term and terms value shapes, intervals rules, span clauses,
// function_score functions; and sorts and _source filtering, which queries and requests share.

import { checkDateValue, usesDateMath } from './date-math';
import { didYouMean, type FieldKind } from './fields';
import { childPath, type JsonValue } from './json-parse';
import {
  BOOST_MODES, DECAY_FIELD, FIELD_SORT, FIELD_VALUE_FACTOR, GEO_DISTANCE_SORT, INTERVAL_FILTERS, INTERVAL_RULES, MULTI_TERM_QUERY_TYPES,
  NESTED_SORT, QUERIES, RANDOM_SCORE_FUNCTION, SCORE_FUNCTION_PARAMS, SCORE_FUNCTIONS, SCORE_MODES, SCRIPT_SCORE_FUNCTION, SCRIPT_SORT,
  SPAN_QUERY_TYPES, type Params, type QuerySpec,
} from './spec';
import { DslChecker, get, has, isObj, isScalar, kindOf, shown, type Obj } from './checker';

const SORT_ORDERS = ['asc', 'desc'];
const SORT_MODES = ['min', 'max', 'sum', 'avg', 'median'];
const MULTI_MATCH_TYPES = ['best_fields', 'boolean', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix', 'bool_prefix'];
const RELATIONS = ['intersects', 'contains', 'within', 'disjoint'];
/** score_mode of nested and has_child (ScoreMode in Lucene's join module). */
const JOIN_SCORE_MODES = ['avg', 'max', 'min', 'none', 'sum'];
const BOOL_OCCURS = ['must', 'should', 'filter', 'must_not'];
const RULE_REQUIRES = new Map([['match', 'query'], ['prefix', 'prefix'], ['wildcard', 'pattern'], ['fuzzy', 'term'], ['all_of', 'intervals'], ['any_of', 'intervals']]);

export abstract class QueryChecker extends DslChecker {
  // ---- queries ----

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

  protected queryBody(type: string, spec: QuerySpec, body: JsonValue, path: string): void {
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

  protected shorthand(type: string, spec: QuerySpec, v: JsonValue, path: string): void {
    const ok = spec.shorthand === 'scalar' ? isScalar(v) : spec.shorthand === 'int' ? Number.isInteger(v) : spec.shorthand === 'array' ? Array.isArray(v) : false;
    if (ok) return;
    const expected = spec.shorthand === 'scalar' ? 'a single value or an object of parameters' : spec.shorthand === 'int' ? 'a whole number' : 'an object of parameters';
    this.problem(path, `${type} value must be ${expected}, got ${kindOf(v)}${type === 'term' && Array.isArray(v) ? ' (use terms for several values)' : ''}`);
  }

  /** Rules for object-form queries beyond the table. */
  protected queryRules(type: string, body: Obj, path: string): void {
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
        break;
      }
      case 'query_string': {
        const df = get(body, 'default_field');
        if (typeof df === 'string' && df !== '*' && this.fields) this.field(df, childPath(path, 'default_field'));
        break;
      }
      case 'has_child':
        this.modeOf(body, 'score_mode', JOIN_SCORE_MODES, path);
        break;
      case 'nested': {
        this.modeOf(body, 'score_mode', JOIN_SCORE_MODES, path);
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
      default:
        break;
    }
  }

  /** Rules for one field's value in field-form queries beyond the table. */
  protected fieldQueryRules(type: string, name: string, v: JsonValue, path: string): void {
    switch (type) {
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

  protected relation(v: Obj, path: string): void {
    const rel = get(v, 'relation');
    if (rel !== undefined && !(typeof rel === 'string' && RELATIONS.includes(rel.toLowerCase()))) {
      this.problem(childPath(path, 'relation'), `"relation" must be one of ${RELATIONS.join(', ')} (any case), got ${shown(rel)}`);
    }
  }

  /** A range query on one field: its bounds checked against the field's type (and date math). */
  protected range(name: string, v: Obj, path: string): void {
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

  protected bound(v: JsonValue, path: string, kind: FieldKind | 'unchecked' | null, customFormat: boolean): void {
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

  protected scoreFunction(f: JsonValue, path: string): void {
    if (!this.object(f, path, 'a score function')) return;
    this.params(f, path, SCORE_FUNCTION_PARAMS, 'a score function');
    const fns = SCORE_FUNCTIONS.filter((k) => k !== 'weight' && has(f, k));
    if (fns.length > 1) this.problem(path, `a functions entry holds one function, got ${fns.join(', ')}`);
    if (fns.length === 0 && !has(f, 'weight')) this.problem(path, `a functions entry needs a function (${SCORE_FUNCTIONS.join(', ')})`);
    this.scoreFunctionParts(f, path);
  }

  protected modeOf(body: Obj, key: string, modes: readonly string[], path: string): void {
    const v = get(body, key);
    if (v !== undefined && !(typeof v === 'string' && modes.includes(v.toLowerCase()))) this.problem(childPath(path, key), `"${key}" must be one of ${modes.join(', ')}, got ${shown(v)}`);
  }

  /** The function parts (script_score, random_score, field_value_factor) of a function or of function_score itself. */
  protected scoreFunctionParts(f: Obj, path: string): void {
    const parts: [string, Params][] = [['script_score', SCRIPT_SCORE_FUNCTION], ['random_score', RANDOM_SCORE_FUNCTION], ['field_value_factor', FIELD_VALUE_FACTOR]];
    for (const [k, params] of parts) {
      const v = get(f, k);
      if (isObj(v)) this.params(v, childPath(path, k), params, k);
    }
  }

  protected decay(v: JsonValue, path: string, what: string): void {
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
  protected intervalRule(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'an interval rule')) return;
    const names = Object.keys(v);
    if (names.length !== 1) this.problem(path, `an interval rule holds exactly one of ${[...INTERVAL_RULES.keys()].join(', ')}`);
    for (const n of names) {
      if (INTERVAL_RULES.has(n)) this.intervalBody(n, v[n], childPath(path, n));
      else this.problem(childPath(path, n), `unknown interval rule ${shown(n)}${didYouMean(n, INTERVAL_RULES.keys())}`);
    }
  }

  protected intervalBody(rule: string, v: JsonValue, path: string): void {
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

  protected sort(v: JsonValue, path: string): void {
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

  protected sortEntry(name: string, spec: JsonValue, path: string): void {
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

  protected order(v: JsonValue, path: string): void {
    if (!(typeof v === 'string' && SORT_ORDERS.includes(v.toLowerCase()))) this.problem(path, `sort order must be one of asc, desc, got ${shown(v)}`);
  }

  protected sortOptions(spec: Obj, path: string): void {
    if (has(spec, 'order')) this.order(spec.order, childPath(path, 'order'));
    const mode = get(spec, 'mode');
    if (mode !== undefined && !(typeof mode === 'string' && SORT_MODES.includes(mode.toLowerCase()))) this.problem(childPath(path, 'mode'), `sort mode must be one of ${SORT_MODES.join(', ')}, got ${shown(mode)}`);
    const nested = get(spec, 'nested');
    if (isObj(nested)) this.params(nested, childPath(path, 'nested'), NESTED_SORT, 'nested sort');
  }

  protected sourcePatterns(v: JsonValue, path: string): void {
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
  protected isObjectPrefix(pattern: string): boolean {
    const prefix = `${pattern.replace(/\*$/, '')}.`;
    return this.fields!.allNames().some((n) => n.startsWith(prefix));
  }

  protected source(v: JsonValue, path: string): void {
    if (typeof v === 'boolean') return;
    if (isObj(v)) {
      this.params(v, path, { includes: 'any', excludes: 'any', include: 'any', exclude: 'any' }, '_source');
      for (const k of Object.keys(v)) this.sourcePatterns(v[k], childPath(path, k));
      return;
    }
    this.sourcePatterns(v, path);
  }

}
