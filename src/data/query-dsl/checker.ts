// The generic half of the Query DSL validator: where problems go (path, line and column), how an object is checked
// against a parameter table from spec.ts (unknown keys with a "did you mean", each value by its kind), Java int
// ranges, plugin gating, and field names against the index schema. Subclasses add the walk over queries (queries.ts)
// and over the request and its aggregations (validate.ts).
//
// Keys come from the input, so they are only ever looked up in Maps or after an own-property check: a query named
// "constructor" or "__proto__" is an unknown query type, not a property of Object.prototype.

import type { IndexSchema, TextPosition, ValidationProblem } from '../records';
import { FieldResolver, didYouMean, type FieldKind } from './fields';
import { childPath, type JsonValue } from './json-parse';
import { AGGREGATIONS, HIGHLIGHT, HIGHLIGHT_FIELD, INNER_HITS, PARAM_VALUES, PLUGINS, QUERIES, SCRIPT, type ParamKind, type Params, type PluginName, type QuerySpec } from './spec';

export type Obj = { [key: string]: JsonValue };

export interface QueryDslOptions {
  /**
   * Plugins the cluster has (keys of PLUGINS: knn, neural-search, geospatial, ml-commons; a query type such as
   * "neural" or "hybrid" also names its plugin). Syntax of other plugins is reported as "needs plugin X".
   */
  plugins?: readonly string[];
}

export const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const has = (o: Obj, key: string): boolean => Object.hasOwn(o, key);
export const get = (o: Obj, key: string): JsonValue | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);
export const isScalar = (v: JsonValue | undefined): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
export const kindOf = (v: JsonValue | undefined): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
/** A name or value as shown in a message: quoted, and cut short when long (a 4 MB key must not make a 4 MB message). */
export const shown = (v: JsonValue | undefined): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : isObj(v) || Array.isArray(v) ? kindOf(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 60)}…" (${s.length} characters)` : s;
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** Parameters that count things: a negative value is refused by OpenSearch. */
const NON_NEGATIVE = new Set(['size', 'from', 'shard_size', 'min_doc_count', 'shard_min_doc_count', 'terminate_after', 'precision_threshold',
  'max_children', 'min_children', 'window_size', 'buckets', 'max_doc_count', 'slop', 'max_expansions', 'prefix_length', 'window', 'k']);
/** Top-level keys recorded in the coverage. */
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

export abstract class DslChecker {
  protected problems: ValidationProblem[] = [];
  protected used = new Set<string>();
  protected readonly fields: FieldResolver | null;
  protected readonly plugins: Set<PluginName>;
  protected offsets = new Map<string, number>();
  protected position: (offset: number) => TextPosition = (offset) => ({ offset, line: 1, column: offset + 1 });

  constructor(schema: IndexSchema | null, options: QueryDslOptions = {}) {
    this.fields = schema ? new FieldResolver(schema) : null;
    this.plugins = resolvePlugins(options.plugins);
  }

  /** One query: {type: body}. `only` restricts the types (span clauses, span_multi's multi-term query). */
  abstract query(v: JsonValue | undefined, path: string, only?: 'span' | 'multi_term'): void;
  protected abstract sort(v: JsonValue, path: string): void;
  protected abstract source(v: JsonValue, path: string): void;
  protected abstract scoreFunction(f: JsonValue, path: string): void;
  protected abstract decay(v: JsonValue, path: string, what: string): void;
  protected abstract intervalRule(v: JsonValue, path: string): void;

  protected problem(path: string, message: string): void {
    const offset = this.offsets.get(path);
    this.problems.push(offset === undefined ? { path, message } : { path, message, position: this.position(offset) });
  }

  // ---- table-driven checks ----

  protected object(v: JsonValue | undefined, path: string, what: string): v is Obj {
    if (isObj(v)) return true;
    this.problem(path, `${what} must be an object, got ${kindOf(v)}`);
    return false;
  }

  /** Checks an object against a parameter table: unknown keys (with a hint), then the value of each known key. */
  protected params(obj: Obj, path: string, params: Params, what: string, skip?: (key: string) => boolean): void {
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

  protected required(obj: Obj, path: string, groups: QuerySpec['required'], what: string): void {
    for (const group of groups ?? []) {
      if (!group.some((k) => has(obj, k))) this.problem(path, `${what} needs ${group.map((k) => `"${k}"`).join(' or ')}`);
    }
  }

  protected value(kind: ParamKind, v: JsonValue, path: string, what: string, key = ''): void {
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
      case 'scalar': {
        if (!isScalar(v)) {
          this.problem(path, `${what} must be a string or a number, got ${kindOf(v)}`);
          return;
        }
        const values = PARAM_VALUES.get(key);
        if (values && !values.includes(String(v).toLowerCase())) this.problem(path, `${what} must be one of ${values.join(', ')}, got ${shown(v)}`);
        return;
      }
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
  protected int(v: JsonValue | undefined, path: string, what: string, min: number): void {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > INT_MAX) {
      this.problem(path, `${what} must be a whole number from ${min} to ${INT_MAX} (OpenSearch reads an int), got ${shown(v)}`);
    }
  }

  protected needsPlugin(plugin: PluginName | undefined, path: string, what: string): boolean {
    if (!plugin || this.plugins.has(plugin)) return false;
    this.problem(path, `${what} needs plugin ${plugin} (${PLUGINS[plugin]}): allow it with plugins: ["${plugin}"] when the cluster has it`);
    return true;
  }

  // ---- fields ----

  /** Resolves a field name against the schema (no-op without a schema). Returns its kind, or null if unknown. */
  protected field(name: JsonValue | undefined, path: string): FieldKind | 'unchecked' | null {
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

  protected noMatch(pattern: string, path: string): null {
    this.problem(path, `pattern ${shown(pattern)} matches no field in index "${this.fields!.schema.index}"`);
    return null;
  }

  /** A field used for aggregating or sorting: analysed text has no doc values there. */
  protected aggregatableField(name: JsonValue | undefined, path: string, what: string, accept?: readonly string[]): void {
    const kind = this.field(name, path);
    if (kind === null || kind === 'unchecked') return;
    if (kind === 'text') {
      const hint = this.fields!.resolve(`${String(name)}.keyword`);
      this.problem(path, `${what} on text field ${shown(name)} is not allowed (no doc values)${'error' in hint ? '' : `: use "${String(name)}.keyword"`}`);
    } else if (accept && !accept.includes(kind)) {
      this.problem(path, `${what} needs a ${accept.join(' or ')} field, but ${shown(name)} is ${kind}`);
    }
  }

  protected fieldPatterns(v: JsonValue, path: string, what: string): void {
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

  /** Highlight options; field names are not checked (OpenSearch skips fields it cannot highlight). */
  protected highlight(v: JsonValue, path: string): void {
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

  protected script(v: JsonValue, path: string, what: string): void {
    if (typeof v === 'string') return;
    if (!this.object(v, path, what)) return;
    this.params(v, path, SCRIPT, 'a script');
    this.required(v, path, [['source', 'inline', 'id']], 'a script');
  }

}
