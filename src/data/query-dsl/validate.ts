// Structural validation of an OpenSearch search request body (Query DSL). The names and value kinds come from one
// table (spec.ts: every query, aggregation and body key of OpenSearch core, its bundled modules and the common
// plugins); checker.ts checks objects against it, queries.ts walks queries and sorts, and this file walks the request
// and its aggregations (one type per aggregation, sub-aggregations only under bucket ones, date_histogram intervals,
// bucket orders, ranges, composite sources). Each problem names its JSON path and, when the text is at hand, its line
// and column; field names are checked against the index schema when there is one. While walking, it records which
// clause and aggregation types the request uses.
//
// The rules follow what OpenSearch itself rejects (unknown clauses and parameters, metric aggregations with
// sub-aggregations, terms aggregations or sorts on analysed text fields, unparseable dates), not style preferences.

import type { RowValidity } from '../records';
import { CALENDAR_INTERVALS, checkDateValue, isFixedInterval, usesDateMath } from './date-math';
import { didYouMean } from './fields';
import { childPath, lineIndex, parseJson, type JsonValue } from './json-parse';
import {
  AGGREGATIONS, AGG_META_KEYS, COLLAPSE, COMPOSITE_SOURCES, EXT_SECTIONS, PIT, RESCORE, RESCORE_QUERY, SCRIPT_FIELD, SEARCH_BODY, SLICE,
  type AggSpec, type Params,
} from './spec';
import { get, has, isObj, kindOf, shown, type Obj } from './checker';
import { QueryChecker } from './queries';

export { resolvePlugins, type QueryDslOptions } from './checker';

export interface QueryDslAnalysis {
  validity: RowValidity;
  /** Clause and aggregation types used, sorted (see clauseCoverage). */
  coverage: string[];
  /** The parsed request when it parses. */
  value?: JsonValue;
}

/** Top-level keys recorded in the coverage. */
const COVERED_KEYS = new Set(['query', 'post_filter', 'size', 'from', 'sort', '_source', 'track_total_hits', 'terminate_after']);

export class QueryDslValidator extends QueryChecker {
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

  // ---- request ----

  protected request(v: JsonValue, path: string): void {
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

  protected ext(v: JsonValue, path: string): void {
    if (!this.object(v, path, '"ext"')) return;
    for (const section of Object.keys(v)) {
      const plugin = EXT_SECTIONS.get(section);
      const p = childPath(path, section);
      if (plugin) this.needsPlugin(plugin, p, `"ext.${section}"`);
      else if (this.plugins.size === 0) this.problem(p, `"ext.${section.length > 60 ? `${section.slice(0, 60)}…` : section}" is read by a plugin; none is enabled (known sections: ${[...EXT_SECTIONS.keys()].join(', ')})`);
    }
  }

  protected rescore(v: JsonValue, path: string): void {
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

  protected scriptField(v: JsonValue, path: string): void {
    if (!this.object(v, path, 'a script field')) return;
    this.params(v, path, SCRIPT_FIELD, 'script_fields');
    this.required(v, path, [['script']], 'a script field');
  }

  // ---- aggregations ----

  protected aggs(v: JsonValue | undefined, path: string, depth: number): void {
    if (!this.object(v, path, 'aggregations')) return;
    if (depth > 0) this.used.add('aggs.sub_aggregations');
    for (const name of Object.keys(v)) {
      const p = childPath(path, name);
      if (name === '' || /[[\]>]/.test(name)) this.problem(p, `aggregation name ${shown(name)} must be non-empty and may not contain [, ] or >`);
      this.aggregation(v[name], p, depth);
    }
  }

  protected aggregation(def: JsonValue, path: string, depth: number): void {
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

  protected aggBody(type: string, spec: AggSpec, b: JsonValue, path: string): void {
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
  protected aggRules(type: string, b: Obj, path: string): void {
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

  protected ranges(type: string, v: JsonValue, path: string, customFormat: boolean): void {
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

  protected compositeSource(s: JsonValue, path: string): void {
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

  protected bucketOrder(v: JsonValue, path: string): void {
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

  protected dateBounds(v: JsonValue, path: string, customFormat: boolean): void {
    if (!this.object(v, path, 'bounds')) return;
    this.params(v, path, { min: 'any', max: 'any' }, 'bounds');
    for (const k of ['min', 'max'].filter((x) => has(v, x))) {
      const reason = typeof v[k] === 'number' ? null : checkDateValue(v[k], customFormat);
      if (reason) this.problem(childPath(path, k), reason);
    }
  }
}
