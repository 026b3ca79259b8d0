// Query DSL validation for labels: parse with positions, validate against the index schema, canonical form,
// and clause coverage for dataset statistics.

import type { IndexSchema, RowValidity } from '../records';
import { QueryDslValidator, type QueryDslAnalysis, type QueryDslOptions } from './validate';

export { canonicalJson, canonicalize, sameQuery } from './canonical';
export { parseJson, positionAt, lineIndex, childPath, MAX_JSON_DEPTH, type JsonValue, type JsonParseResult, type JsonSyntaxError } from './json-parse';
export { checkDateValue, isDefaultFormatDate, usesDateMath } from './date-math';
export { FieldResolver } from './fields';
export { QueryDslValidator, resolvePlugins, type QueryDslAnalysis, type QueryDslOptions } from './validate';
export { PLUGINS, QUERIES, AGGREGATIONS, SEARCH_BODY, type PluginName } from './spec';

/**
 * Parses and validates a label against the task's index; `schema` null skips the field-name checks.
 * `options.plugins` names the plugins the cluster has (knn, neural-search, geospatial, ml-commons).
 */
export function analyzeQueryDsl(text: string, schema: IndexSchema | null, options?: QueryDslOptions): QueryDslAnalysis {
  return new QueryDslValidator(schema, options).analyze(text);
}

/** Validity of one label: parses, valid, and every problem with its JSON path (and line/column when known). */
export function validateQueryDsl(text: string, schema: IndexSchema | null, options?: QueryDslOptions): RowValidity {
  return analyzeQueryDsl(text, schema, options).validity;
}

/**
 * Which clause and aggregation types a label uses, sorted: query clause names ("bool", "match", "range"...),
 * bool occurrences ("bool.filter", "bool.must_not"...), "range.date_math" when a bound uses date math,
 * aggregation types as "aggs.<type>" plus "aggs.sub_aggregations" when aggregations are nested, and the top-level
 * keys "query", "sort", "size", "from", "_source", "track_total_hits", "post_filter". Empty when it does not parse.
 */
export function clauseCoverage(label: string): string[] {
  return analyzeQueryDsl(label, null).coverage;
}
