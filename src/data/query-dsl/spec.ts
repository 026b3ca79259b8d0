// What OpenSearch's parsers accept, as one table: every query type, aggregation type and search-body key of
// OpenSearch core and its bundled modules (parent-join, percolator, mapper-extras, geo, aggs-matrix-stats), with the
// parameters each parser reads and the kind of value each takes, plus the syntax plugins add (k-NN, neural search,
// geospatial, ML commons), marked with the plugin that provides it. Names follow the ParseFields of OpenSearch's
// *QueryBuilder, *AggregationBuilder and SearchSourceBuilder classes (server/src/main/java/org/opensearch/...).
// The validator (validate.ts) checks keys and value kinds from this table and adds the few rules a table cannot say.

/** What a parameter takes; the validator checks each kind and recurses into queries, aggregations, sorts. */
export type ParamKind =
  | 'any' // not checked (geometry, documents, opaque plugin settings)
  | 'bool' // true/false (OpenSearch also reads "true"/"false")
  | 'number' // a number (or a numeric string, which OpenSearch coerces)
  | 'int' // a whole number in Java int range (or such a numeric string)
  | 'scalar' // a string, number or boolean (text parameters OpenSearch reads with text())
  | 'strings' // a string or an array of strings (numbers and booleans are read as their text)
  | 'object' // any object
  | 'array' // any array
  | 'query' // one query
  | 'queries' // one query or an array of queries
  | 'query_map' // an object or array of named queries (filters, adjacency_matrix)
  | 'span' // one span query
  | 'spans' // an array of span queries
  | 'field' // a field name, checked against the schema
  | 'fields' // field names or patterns (with optional ^boost), as an array or one string
  | 'script' // a script: a source string, or {source|id, lang, params, options}
  | 'sort' // a sort specification
  | 'source' // _source filtering
  | 'inner_hits' // inner_hits options
  | 'score_function' // a function_score function object
  | 'decay' // a gauss/linear/exp decay function: {field: {origin, scale, offset, decay}, multi_value_mode}
  | 'interval_rule' // an intervals rule
  | 'highlight'; // highlight options

export type Params = Readonly<Record<string, ParamKind>>;

/**
 * Values a text parameter may take wherever it appears (OpenSearch reads them case-insensitively). Names whose
 * values depend on where they appear (type, mode, order, score_mode) are checked by the rules in queries.ts instead.
 */
export const PARAM_VALUES: ReadonlyMap<string, readonly string[]> = new Map([
  ['zero_terms_query', ['none', 'all']],
  ['operator', ['and', 'or']],
  ['default_operator', ['and', 'or']],
  ['low_freq_operator', ['and', 'or']],
  ['high_freq_operator', ['and', 'or']],
  ['gap_policy', ['skip', 'insert_zeros', 'keep_values']],
  ['distance_type', ['arc', 'plane']],
  ['validation_method', ['coerce', 'ignore_malformed', 'strict']],
  ['collect_mode', ['depth_first', 'breadth_first']],
]);

/** Plugins that add search syntax; `plugins` in the validator options names the ones the cluster has. */
export const PLUGINS = {
  knn: 'k-NN (opensearch-knn)',
  'neural-search': 'Neural Search (opensearch-neural-search)',
  geospatial: 'Geospatial (opensearch-geospatial)',
  'ml-commons': 'ML Commons (opensearch-ml)',
} as const;
export type PluginName = keyof typeof PLUGINS;

export interface QuerySpec {
  /**
   * object: {type: {params}}.
   * field: {type: {<field>: value}}: one field name, its value either a params object or (when `shorthand` is set)
   *   a short form; `outer` params may sit beside the field.
   * field_value: like field, but the field's value is data (a point, a shape, a box), not params: only `outer` and
   *   `value` (the keys allowed inside the field's object, if it is one) are checked.
   */
  form: 'object' | 'field' | 'field_value';
  params: Params;
  /** Parameters beside the field name (field forms). */
  outer?: Params;
  /** The short form allowed in place of the params object (field form), e.g. {"match": {"title": "text"}}. */
  shorthand?: 'scalar' | 'array' | 'int';
  /** Groups of which at least one parameter must be present. */
  required?: readonly (readonly string[])[];
  /** The plugin that provides it, when not in core or a bundled module. */
  plugin?: PluginName;
}

const NAMED = { boost: 'number', _name: 'scalar' } as const;
const SCALAR_VALUE = { value: 'scalar', ...NAMED } as const;
const REWRITE = 'scalar';
const FUZZY_PARAMS = { fuzziness: 'scalar', prefix_length: 'int', max_expansions: 'int', fuzzy_transpositions: 'bool', fuzzy_rewrite: REWRITE } as const;
const MATCH_PARAMS = {
  query: 'scalar', operator: 'scalar', analyzer: 'scalar', minimum_should_match: 'scalar', ...FUZZY_PARAMS, lenient: 'bool',
  zero_terms_query: 'scalar', cutoff_frequency: 'number', auto_generate_synonyms_phrase_query: 'bool', ...NAMED,
} as const;
const PHRASE_PARAMS = { query: 'scalar', analyzer: 'scalar', slop: 'int', zero_terms_query: 'scalar', ...NAMED } as const;
const GEO_OUTER = { ignore_unmapped: 'bool', validation_method: 'scalar', ...NAMED } as const;
const SHAPE_VALUE = { shape: 'any', indexed_shape: 'object', relation: 'scalar', strategy: 'scalar' } as const;
const KNN_PARAMS = {
  vector: 'array', k: 'int', min_score: 'number', max_distance: 'number', filter: 'query', method_parameters: 'object',
  rescore: 'any', expand_nested_docs: 'bool', ignore_unmapped: 'bool', ...NAMED,
} as const;
const SPAN_QUERIES = ['span_term', 'span_or', 'span_near', 'span_not', 'span_first', 'span_containing', 'span_within', 'span_multi', 'field_masking_span', 'span_gap'];

export const QUERIES: ReadonlyMap<string, QuerySpec> = new Map<string, QuerySpec>([
  // compound
  ['bool', { form: 'object', params: { must: 'queries', filter: 'queries', should: 'queries', must_not: 'queries', minimum_should_match: 'scalar', adjust_pure_negative: 'bool', ...NAMED } }],
  ['boosting', { form: 'object', params: { positive: 'query', negative: 'query', negative_boost: 'number', ...NAMED }, required: [['positive'], ['negative'], ['negative_boost']] }],
  ['constant_score', { form: 'object', params: { filter: 'query', ...NAMED }, required: [['filter']] }],
  ['dis_max', { form: 'object', params: { queries: 'queries', tie_breaker: 'number', ...NAMED }, required: [['queries']] }],
  ['function_score', {
    form: 'object',
    params: {
      query: 'query', functions: 'array', score_mode: 'scalar', boost_mode: 'scalar', max_boost: 'number', min_score: 'number',
      weight: 'number', script_score: 'object', random_score: 'object', field_value_factor: 'object', gauss: 'decay', linear: 'decay', exp: 'decay', ...NAMED,
    },
  }],
  ['script_score', { form: 'object', params: { query: 'query', script: 'script', min_score: 'number', ...NAMED }, required: [['query'], ['script']] }],
  // full text
  ['match', { form: 'field', params: MATCH_PARAMS, shorthand: 'scalar' , required: [['query']] }],
  ['match_phrase', { form: 'field', params: PHRASE_PARAMS, shorthand: 'scalar' , required: [['query']] }],
  ['match_phrase_prefix', { form: 'field', params: { ...PHRASE_PARAMS, max_expansions: 'int' }, shorthand: 'scalar' , required: [['query']] }],
  ['match_bool_prefix', { form: 'field', params: { query: 'scalar', analyzer: 'scalar', operator: 'scalar', minimum_should_match: 'scalar', ...FUZZY_PARAMS, ...NAMED }, shorthand: 'scalar', required: [['query']] }],
  ['multi_match', {
    form: 'object',
    params: {
      query: 'scalar', fields: 'fields', type: 'scalar', operator: 'scalar', analyzer: 'scalar', slop: 'int', minimum_should_match: 'scalar',
      ...FUZZY_PARAMS, tie_breaker: 'number', lenient: 'bool', cutoff_frequency: 'number', zero_terms_query: 'scalar',
      auto_generate_synonyms_phrase_query: 'bool', ...NAMED,
    },
    required: [['query']],
  }],
  ['combined_fields', {
    form: 'object',
    params: { query: 'scalar', fields: 'fields', operator: 'scalar', minimum_should_match: 'scalar', analyzer: 'scalar', zero_terms_query: 'scalar', auto_generate_synonyms_phrase_query: 'bool', ...NAMED },
    required: [['query'], ['fields']],
  }],
  ['query_string', {
    form: 'object',
    params: {
      query: 'scalar', default_field: 'scalar', fields: 'fields', default_operator: 'scalar', analyzer: 'scalar', quote_analyzer: 'scalar',
      allow_leading_wildcard: 'bool', auto_generate_synonyms_phrase_query: 'bool', enable_position_increments: 'bool', fuzziness: 'scalar',
      fuzzy_prefix_length: 'int', fuzzy_max_expansions: 'int', fuzzy_transpositions: 'bool', fuzzy_rewrite: REWRITE, max_determinized_states: 'int',
      minimum_should_match: 'scalar', lenient: 'bool', analyze_wildcard: 'bool', quote_field_suffix: 'scalar', phrase_slop: 'int', rewrite: REWRITE,
      time_zone: 'scalar', type: 'scalar', tie_breaker: 'number', escape: 'bool', ...NAMED,
    },
    required: [['query']],
  }],
  ['simple_query_string', {
    form: 'object',
    params: {
      query: 'scalar', fields: 'fields', default_operator: 'scalar', analyzer: 'scalar', flags: 'scalar', fuzzy_transpositions: 'bool',
      fuzzy_max_expansions: 'int', fuzzy_prefix_length: 'int', lenient: 'bool', analyze_wildcard: 'bool', minimum_should_match: 'scalar',
      quote_field_suffix: 'scalar', auto_generate_synonyms_phrase_query: 'bool', ...NAMED,
    },
    required: [['query']],
  }],
  ['intervals', { form: 'field', params: { match: 'object', prefix: 'object', wildcard: 'object', fuzzy: 'object', all_of: 'object', any_of: 'object', ...NAMED } }],
  ['common', { form: 'field', params: { query: 'scalar', cutoff_frequency: 'number', low_freq_operator: 'scalar', high_freq_operator: 'scalar', minimum_should_match: 'any', analyzer: 'scalar', disable_coord: 'bool', ...NAMED }, shorthand: 'scalar' }],
  // term level
  ['term', { form: 'field', params: { ...SCALAR_VALUE, case_insensitive: 'bool' }, shorthand: 'scalar' }],
  ['terms', { form: 'field_value', params: { index: 'scalar', id: 'scalar', query: 'query', path: 'scalar', routing: 'scalar', store: 'bool' }, outer: { value_type: 'scalar', ...NAMED } }],
  ['terms_set', { form: 'field', params: { terms: 'array', minimum_should_match_field: 'field', minimum_should_match_script: 'script', ...NAMED }, required: [['terms'], ['minimum_should_match_field', 'minimum_should_match_script']] }],
  ['range', { form: 'field', params: { gt: 'any', gte: 'any', lt: 'any', lte: 'any', from: 'any', to: 'any', include_lower: 'bool', include_upper: 'bool', format: 'scalar', time_zone: 'scalar', relation: 'scalar', ...NAMED } }],
  ['prefix', { form: 'field', params: { ...SCALAR_VALUE, case_insensitive: 'bool', rewrite: REWRITE }, shorthand: 'scalar' }],
  ['wildcard', { form: 'field', params: { ...SCALAR_VALUE, wildcard: 'scalar', case_insensitive: 'bool', rewrite: REWRITE }, shorthand: 'scalar' }],
  ['regexp', { form: 'field', params: { ...SCALAR_VALUE, flags: 'scalar', flags_value: 'int', case_insensitive: 'bool', max_determinized_states: 'int', rewrite: REWRITE }, shorthand: 'scalar' }],
  ['fuzzy', { form: 'field', params: { ...SCALAR_VALUE, fuzziness: 'scalar', max_expansions: 'int', prefix_length: 'int', transpositions: 'bool', rewrite: REWRITE }, shorthand: 'scalar' }],
  ['exists', { form: 'object', params: { field: 'field', ...NAMED }, required: [['field']] }],
  ['ids', { form: 'object', params: { values: 'strings', ...NAMED }, required: [['values']] }],
  ['match_all', { form: 'object', params: NAMED }],
  ['match_none', { form: 'object', params: NAMED }],
  // joining (nested in core; has_child, has_parent, parent_id from the parent-join module)
  ['nested', { form: 'object', params: { path: 'field', query: 'query', score_mode: 'scalar', ignore_unmapped: 'bool', inner_hits: 'inner_hits', ...NAMED }, required: [['path'], ['query']] }],
  ['has_child', { form: 'object', params: { type: 'scalar', query: 'query', score_mode: 'scalar', min_children: 'int', max_children: 'int', ignore_unmapped: 'bool', inner_hits: 'inner_hits', ...NAMED }, required: [['type'], ['query']] }],
  ['has_parent', { form: 'object', params: { parent_type: 'scalar', query: 'query', score: 'bool', ignore_unmapped: 'bool', inner_hits: 'inner_hits', ...NAMED }, required: [['parent_type'], ['query']] }],
  ['parent_id', { form: 'object', params: { type: 'scalar', id: 'scalar', ignore_unmapped: 'bool', ...NAMED }, required: [['type'], ['id']] }],
  // geographic (geo_* in core; xy_shape from the geospatial plugin)
  ['geo_distance', { form: 'field_value', params: {}, outer: { distance: 'scalar', unit: 'scalar', distance_type: 'scalar', ...GEO_OUTER }, required: [['distance']] }],
  ['geo_bounding_box', { form: 'field_value', params: { top_left: 'any', bottom_right: 'any', top_right: 'any', bottom_left: 'any', top: 'number', left: 'number', bottom: 'number', right: 'number', wkt: 'scalar' }, outer: { type: 'scalar', ...GEO_OUTER } }],
  ['geo_polygon', { form: 'field_value', params: { points: 'array' }, outer: GEO_OUTER }],
  ['geo_shape', { form: 'field_value', params: SHAPE_VALUE, outer: { ignore_unmapped: 'bool', ...NAMED } }],
  ['xy_shape', { form: 'field_value', params: SHAPE_VALUE, outer: { ignore_unmapped: 'bool', ...NAMED }, plugin: 'geospatial' }],
  // span
  ['span_term', { form: 'field', params: { ...SCALAR_VALUE, term: 'scalar' }, shorthand: 'scalar' }],
  ['span_or', { form: 'object', params: { clauses: 'spans', ...NAMED }, required: [['clauses']] }],
  ['span_near', { form: 'object', params: { clauses: 'spans', slop: 'int', in_order: 'bool', ...NAMED }, required: [['clauses']] }],
  ['span_not', { form: 'object', params: { include: 'span', exclude: 'span', pre: 'int', post: 'int', dist: 'int', ...NAMED }, required: [['include'], ['exclude']] }],
  ['span_first', { form: 'object', params: { match: 'span', end: 'int', ...NAMED }, required: [['match'], ['end']] }],
  ['span_containing', { form: 'object', params: { big: 'span', little: 'span', ...NAMED }, required: [['big'], ['little']] }],
  ['span_within', { form: 'object', params: { big: 'span', little: 'span', ...NAMED }, required: [['big'], ['little']] }],
  ['span_multi', { form: 'object', params: { match: 'query', ...NAMED }, required: [['match']] }],
  ['field_masking_span', { form: 'object', params: { query: 'span', field: 'field', ...NAMED }, required: [['query'], ['field']] }],
  ['span_gap', { form: 'field', params: {}, shorthand: 'int' }],
  // specialized (percolate from the percolator module, rank_feature from mapper-extras)
  ['more_like_this', {
    form: 'object',
    params: {
      fields: 'fields', like: 'any', unlike: 'any', min_term_freq: 'int', max_query_terms: 'int', stop_words: 'strings',
      min_doc_freq: 'int', max_doc_freq: 'int', min_word_length: 'int', max_word_length: 'int', analyzer: 'scalar', minimum_should_match: 'scalar',
      boost_terms: 'number', include: 'bool', fail_on_unsupported_field: 'bool', ...NAMED,
    },
    required: [['like']],
  }],
  ['script', { form: 'object', params: { script: 'script', ...NAMED }, required: [['script']] }],
  ['distance_feature', { form: 'object', params: { field: 'field', origin: 'any', pivot: 'scalar', ...NAMED }, required: [['field'], ['origin'], ['pivot']] }],
  ['rank_feature', { form: 'object', params: { field: 'field', saturation: 'object', log: 'object', sigmoid: 'object', linear: 'object', ...NAMED }, required: [['field']] }],
  ['percolate', {
    form: 'object',
    params: { field: 'field', document: 'object', documents: 'array', index: 'scalar', id: 'scalar', routing: 'scalar', preference: 'scalar', version: 'int', name: 'scalar', ...NAMED },
    required: [['field'], ['document', 'documents', 'id']],
  }],
  ['wrapper', { form: 'object', params: { query: 'scalar' }, required: [['query']] }],
  ['template', { form: 'object', params: {} /* any query with "${...}" placeholders, filled in by a search request processor */ }],
  // plugins
  ['knn', { form: 'field', params: KNN_PARAMS, required: [['vector']], plugin: 'knn' }],
  ['neural', {
    form: 'field',
    params: { query_text: 'scalar', query_image: 'scalar', model_id: 'scalar', semantic_field_search_analyzer: 'scalar', query_tokens: 'object', ...KNN_PARAMS, vector: 'array' },
    required: [['query_text', 'query_image', 'query_tokens']],
    plugin: 'neural-search',
  }],
  ['neural_sparse', { form: 'field', params: { query_text: 'scalar', model_id: 'scalar', analyzer: 'scalar', query_tokens: 'object', max_token_score: 'number', method_parameters: 'object', ...NAMED }, required: [['query_text', 'query_tokens']], plugin: 'neural-search' }],
  ['hybrid', { form: 'object', params: { queries: 'queries', filter: 'query', pagination_depth: 'int', ...NAMED }, required: [['queries']], plugin: 'neural-search' }],
  ['agentic', { form: 'object', params: { query_text: 'scalar', query_fields: 'strings', memory_id: 'scalar' }, required: [['query_text']], plugin: 'neural-search' }],
]);

export const SPAN_QUERY_TYPES: ReadonlySet<string> = new Set(SPAN_QUERIES);
/** Queries span_multi may wrap. */
export const MULTI_TERM_QUERY_TYPES: ReadonlySet<string> = new Set(['prefix', 'wildcard', 'regexp', 'fuzzy', 'range']);

/** Score functions of function_score, each also allowed at its top level (single-function form). */
export const SCORE_FUNCTION_PARAMS: Params = {
  filter: 'query', weight: 'number', script_score: 'object', random_score: 'object', field_value_factor: 'object', gauss: 'decay', linear: 'decay', exp: 'decay', _name: 'scalar',
};
/** The functions themselves (a function_score holds one of them, or a "functions" array of {filter, function, weight}). */
export const SCORE_FUNCTIONS = ['weight', 'script_score', 'random_score', 'field_value_factor', 'gauss', 'linear', 'exp'];
export const SCORE_MODES = ['multiply', 'sum', 'avg', 'first', 'max', 'min'];
export const BOOST_MODES = ['multiply', 'replace', 'sum', 'avg', 'max', 'min'];
export const SCRIPT_SCORE_FUNCTION: Params = { script: 'script' };
export const RANDOM_SCORE_FUNCTION: Params = { seed: 'scalar', field: 'field' };
export const FIELD_VALUE_FACTOR: Params = { field: 'field', factor: 'number', modifier: 'scalar', missing: 'number' };
export const DECAY_FIELD: Params = { origin: 'any', scale: 'scalar', offset: 'scalar', decay: 'number' };

/** Interval rules of the intervals query. */
export const INTERVAL_RULES: ReadonlyMap<string, Params> = new Map<string, Params>([
  ['match', { query: 'scalar', max_gaps: 'int', ordered: 'bool', analyzer: 'scalar', filter: 'object', use_field: 'field' }],
  ['prefix', { prefix: 'scalar', analyzer: 'scalar', use_field: 'field' }],
  ['wildcard', { pattern: 'scalar', analyzer: 'scalar', use_field: 'field' }],
  ['fuzzy', { term: 'scalar', prefix_length: 'int', transpositions: 'bool', fuzziness: 'scalar', analyzer: 'scalar', use_field: 'field' }],
  ['all_of', { intervals: 'array', max_gaps: 'int', ordered: 'bool', filter: 'object' }],
  ['any_of', { intervals: 'array', filter: 'object' }],
]);
export const INTERVAL_FILTERS: Params = {
  after: 'interval_rule', before: 'interval_rule', contained_by: 'interval_rule', containing: 'interval_rule', not_contained_by: 'interval_rule',
  not_containing: 'interval_rule', not_overlapping: 'interval_rule', overlapping: 'interval_rule', script: 'script',
};

export const INNER_HITS: Params = {
  name: 'scalar', ignore_unmapped: 'bool', from: 'int', size: 'int', explain: 'bool', version: 'bool', seq_no_primary_term: 'bool', track_scores: 'bool',
  sort: 'sort', _source: 'source', stored_fields: 'strings', docvalue_fields: 'array', fields: 'array', script_fields: 'object', highlight: 'highlight', collapse: 'object',
};

/** Highlighting options (AbstractHighlighterBuilder), at the top of "highlight" and per field. */
const HIGHLIGHTER = {
  pre_tags: 'strings', post_tags: 'strings', order: 'scalar', highlight_filter: 'bool', fragment_size: 'int', number_of_fragments: 'int',
  require_field_match: 'bool', boundary_scanner: 'scalar', boundary_max_scan: 'int', boundary_chars: 'scalar', boundary_scanner_locale: 'scalar',
  type: 'scalar', fragmenter: 'scalar', no_match_size: 'int', force_source: 'bool', phrase_limit: 'int', options: 'object',
  highlight_query: 'query', max_analyzer_offset: 'int',
} as const;
export const HIGHLIGHT: Params = { ...HIGHLIGHTER, fields: 'any', encoder: 'scalar', tags_schema: 'scalar' };
export const HIGHLIGHT_FIELD: Params = { ...HIGHLIGHTER, fragment_offset: 'int', matched_fields: 'strings' };

export const SCRIPT: Params = { source: 'scalar', inline: 'scalar', id: 'scalar', lang: 'scalar', params: 'object', options: 'object' };

// ---- aggregations ----

export interface AggSpec {
  /** Only bucket aggregations may hold sub-aggregations. */
  kind: 'bucket' | 'metric' | 'pipeline';
  params: Params;
  /** Groups of which at least one parameter must be present. */
  required?: readonly (readonly string[])[];
  /** Field kinds (see fields.ts) its `field` may have; unset: any aggregatable field. */
  fieldKinds?: readonly ('numeric' | 'date' | 'keyword' | 'boolean' | 'other')[];
  /** The plugin that provides it, when not in core or a bundled module. */
  plugin?: PluginName;
}

/**
 * Parameters of values-source aggregations (ValuesSourceAggregationBuilder.declareFields): field, missing and
 * value_type always; script and format where the aggregation declares them scriptable and formattable.
 */
const VALUES = { field: 'field', script: 'script', missing: 'any', value_type: 'scalar', format: 'scalar' } as const;
const VALUES_NO_FORMAT = { field: 'field', script: 'script', missing: 'any', value_type: 'scalar' } as const;
const VALUES_FIELD_ONLY = { field: 'field', missing: 'any', value_type: 'scalar' } as const;
const FIELD_OR_SCRIPT = [['field', 'script']] as const;
const TERMS_FILTERING = { include: 'any', exclude: 'any', size: 'int', shard_size: 'int', min_doc_count: 'int', shard_min_doc_count: 'int', execution_hint: 'scalar' } as const;
const SIGNIFICANCE = {
  background_filter: 'query', jlh: 'object', mutual_information: 'object', chi_square: 'object', gnd: 'object', percentage: 'object', script_heuristic: 'object',
} as const;
const GRID = { field: 'field', missing: 'any', value_type: 'scalar', precision: 'scalar', size: 'int', shard_size: 'int', bounds: 'any' } as const;
const BUCKETS_PATH = { buckets_path: 'any', gap_policy: 'scalar', format: 'scalar' } as const;
const NUMERIC = ['numeric'] as const;

export const AGGREGATIONS: ReadonlyMap<string, AggSpec> = new Map<string, AggSpec>([
  // metric
  ['avg', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['sum', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['min', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['max', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['stats', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['extended_stats', { kind: 'metric', params: { ...VALUES, sigma: 'number' }, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date', 'boolean'] }],
  ['value_count', { kind: 'metric', params: VALUES, required: FIELD_OR_SCRIPT }],
  ['cardinality', { kind: 'metric', params: { ...VALUES_NO_FORMAT, precision_threshold: 'int', execution_hint: 'scalar', rehash: 'any' }, required: FIELD_OR_SCRIPT }],
  ['percentiles', { kind: 'metric', params: { ...VALUES, percents: 'array', keyed: 'bool', tdigest: 'object', hdr: 'object' }, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date'] }],
  ['percentile_ranks', { kind: 'metric', params: { ...VALUES, values: 'array', keyed: 'bool', tdigest: 'object', hdr: 'object' }, required: [['values'], ['field', 'script']], fieldKinds: [...NUMERIC, 'date'] }],
  ['median_absolute_deviation', { kind: 'metric', params: { ...VALUES, compression: 'number' }, required: FIELD_OR_SCRIPT, fieldKinds: [...NUMERIC, 'date'] }],
  ['weighted_avg', { kind: 'metric', params: { value: 'object', weight: 'object', format: 'scalar', value_type: 'scalar' }, required: [['value'], ['weight']] }],
  ['geo_bounds', { kind: 'metric', params: { ...VALUES_FIELD_ONLY, wrap_longitude: 'bool' }, required: [['field']] }],
  ['geo_centroid', { kind: 'metric', params: VALUES_NO_FORMAT, required: FIELD_OR_SCRIPT }],
  ['scripted_metric', { kind: 'metric', params: { init_script: 'script', map_script: 'script', combine_script: 'script', reduce_script: 'script', params: 'object' }, required: [['map_script'], ['combine_script'], ['reduce_script']] }],
  ['top_hits', {
    kind: 'metric',
    params: {
      from: 'int', size: 'int', sort: 'sort', _source: 'source', explain: 'bool', version: 'bool', seq_no_primary_term: 'bool',
      stored_fields: 'strings', docvalue_fields: 'array', fields: 'array', script_fields: 'object', track_scores: 'bool', highlight: 'highlight',
    },
  }],
  ['matrix_stats', { kind: 'metric', params: { fields: 'fields', missing: 'object', mode: 'scalar' }, required: [['fields']] }],
  // bucket
  ['terms', { kind: 'bucket', params: { ...VALUES, ...TERMS_FILTERING, order: 'any', collect_mode: 'scalar', show_term_doc_count_error: 'bool' }, required: FIELD_OR_SCRIPT }],
  ['significant_terms', { kind: 'bucket', params: { ...VALUES, ...TERMS_FILTERING, ...SIGNIFICANCE }, required: FIELD_OR_SCRIPT }],
  ['significant_text', { kind: 'bucket', params: { field: 'field', ...TERMS_FILTERING, ...SIGNIFICANCE, filter_duplicate_text: 'bool', source_fields: 'strings' }, required: [['field']] }],
  ['rare_terms', { kind: 'bucket', params: { ...VALUES, include: 'any', exclude: 'any', max_doc_count: 'int', precision: 'number' }, required: FIELD_OR_SCRIPT }],
  ['multi_terms', {
    kind: 'bucket',
    params: { terms: 'array', size: 'int', shard_size: 'int', min_doc_count: 'int', shard_min_doc_count: 'int', order: 'any', collect_mode: 'scalar', show_term_doc_count_error: 'bool' },
    required: [['terms']],
  }],
  ['histogram', { kind: 'bucket', params: { ...VALUES, interval: 'number', offset: 'number', min_doc_count: 'int', extended_bounds: 'object', hard_bounds: 'object', order: 'any', keyed: 'bool' }, required: [['interval'], ['field', 'script']], fieldKinds: [...NUMERIC, 'date'] }],
  ['date_histogram', {
    kind: 'bucket',
    params: {
      ...VALUES, calendar_interval: 'scalar', fixed_interval: 'scalar', interval: 'scalar', offset: 'scalar', min_doc_count: 'int', extended_bounds: 'object',
      hard_bounds: 'object', order: 'any', keyed: 'bool', time_zone: 'scalar',
    },
    required: FIELD_OR_SCRIPT,
    fieldKinds: ['date'],
  }],
  ['auto_date_histogram', { kind: 'bucket', params: { ...VALUES, buckets: 'int', minimum_interval: 'scalar', time_zone: 'scalar' }, required: FIELD_OR_SCRIPT, fieldKinds: ['date'] }],
  ['variable_width_histogram', { kind: 'bucket', params: { ...VALUES, time_zone: 'scalar', buckets: 'int', shard_size: 'int', initial_buffer: 'int' }, required: FIELD_OR_SCRIPT, fieldKinds: NUMERIC }],
  ['range', { kind: 'bucket', params: { ...VALUES, ranges: 'array', keyed: 'bool' }, required: [['ranges'], ['field', 'script']], fieldKinds: [...NUMERIC, 'date'] }],
  ['date_range', { kind: 'bucket', params: { ...VALUES, ranges: 'array', keyed: 'bool', time_zone: 'scalar' }, required: [['ranges'], ['field', 'script']], fieldKinds: ['date'] }],
  ['ip_range', { kind: 'bucket', params: { ...VALUES_FIELD_ONLY, ranges: 'array', keyed: 'bool' }, required: [['ranges'], ['field']] }],
  ['geo_distance', { kind: 'bucket', params: { ...VALUES_NO_FORMAT, origin: 'any', center: 'any', point: 'any', ranges: 'array', unit: 'scalar', distance_type: 'scalar', keyed: 'bool' }, required: [['field', 'script'], ['origin', 'center', 'point'], ['ranges']] }],
  ['geohash_grid', { kind: 'bucket', params: GRID, required: [['field']] }],
  ['geotile_grid', { kind: 'bucket', params: GRID, required: [['field']] }],
  ['geohex_grid', { kind: 'bucket', params: GRID, required: [['field']], plugin: 'geospatial' }],
  ['filter', { kind: 'bucket', params: {} /* the body is a query */ }],
  ['filters', { kind: 'bucket', params: { filters: 'query_map', other_bucket: 'bool', other_bucket_key: 'scalar' }, required: [['filters']] }],
  ['adjacency_matrix', { kind: 'bucket', params: { filters: 'query_map', separator: 'scalar' }, required: [['filters']] }],
  ['missing', { kind: 'bucket', params: VALUES, required: FIELD_OR_SCRIPT }],
  ['nested', { kind: 'bucket', params: { path: 'field' }, required: [['path']] }],
  ['reverse_nested', { kind: 'bucket', params: { path: 'field' } }],
  ['children', { kind: 'bucket', params: { type: 'scalar' }, required: [['type']] }],
  ['parent', { kind: 'bucket', params: { type: 'scalar' }, required: [['type']] }],
  ['global', { kind: 'bucket', params: {} }],
  ['sampler', { kind: 'bucket', params: { shard_size: 'int' } }],
  ['diversified_sampler', { kind: 'bucket', params: { ...VALUES_NO_FORMAT, shard_size: 'int', max_docs_per_value: 'int', execution_hint: 'scalar' }, required: FIELD_OR_SCRIPT }],
  ['composite', { kind: 'bucket', params: { sources: 'array', size: 'int', after: 'object' }, required: [['sources']] }],
  // pipeline
  ['avg_bucket', { kind: 'pipeline', params: BUCKETS_PATH, required: [['buckets_path']] }],
  ['sum_bucket', { kind: 'pipeline', params: BUCKETS_PATH, required: [['buckets_path']] }],
  ['min_bucket', { kind: 'pipeline', params: BUCKETS_PATH, required: [['buckets_path']] }],
  ['max_bucket', { kind: 'pipeline', params: BUCKETS_PATH, required: [['buckets_path']] }],
  ['stats_bucket', { kind: 'pipeline', params: BUCKETS_PATH, required: [['buckets_path']] }],
  ['extended_stats_bucket', { kind: 'pipeline', params: { ...BUCKETS_PATH, sigma: 'number' }, required: [['buckets_path']] }],
  ['percentiles_bucket', { kind: 'pipeline', params: { ...BUCKETS_PATH, percents: 'array', keyed: 'bool' }, required: [['buckets_path']] }],
  ['derivative', { kind: 'pipeline', params: { ...BUCKETS_PATH, unit: 'scalar' }, required: [['buckets_path']] }],
  ['cumulative_sum', { kind: 'pipeline', params: { buckets_path: 'any', format: 'scalar' }, required: [['buckets_path']] }],
  ['bucket_script', { kind: 'pipeline', params: { ...BUCKETS_PATH, script: 'script' }, required: [['buckets_path'], ['script']] }],
  ['bucket_selector', { kind: 'pipeline', params: { buckets_path: 'any', gap_policy: 'scalar', script: 'script' }, required: [['buckets_path'], ['script']] }],
  ['bucket_sort', { kind: 'pipeline', params: { sort: 'sort', from: 'int', size: 'int', gap_policy: 'scalar' } }],
  ['moving_avg', { kind: 'pipeline', params: { ...BUCKETS_PATH, model: 'scalar', window: 'int', minimize: 'bool', predict: 'int', settings: 'object' }, required: [['buckets_path']] }],
  ['moving_fn', { kind: 'pipeline', params: { ...BUCKETS_PATH, window: 'int', script: 'script', shift: 'int' }, required: [['buckets_path'], ['window'], ['script']] }],
  ['serial_diff', { kind: 'pipeline', params: { ...BUCKETS_PATH, lag: 'int' }, required: [['buckets_path']] }],
]);

/** Value sources of a composite aggregation: the options all take, then each type's own. */
const COMPOSITE_COMMON = { field: 'field', script: 'script', value_type: 'scalar', missing_bucket: 'bool', missing_order: 'scalar', order: 'scalar', format: 'scalar' } as const;
export const COMPOSITE_SOURCES: ReadonlyMap<string, Params> = new Map<string, Params>([
  ['terms', COMPOSITE_COMMON],
  ['histogram', { ...COMPOSITE_COMMON, interval: 'number' }],
  ['date_histogram', { ...COMPOSITE_COMMON, calendar_interval: 'scalar', fixed_interval: 'scalar', interval: 'scalar', time_zone: 'scalar', offset: 'scalar' }],
  ['geotile_grid', { ...COMPOSITE_COMMON, precision: 'scalar', bounds: 'any' }],
]);

/** Keys of an aggregation object besides its type. */
export const AGG_META_KEYS: ReadonlySet<string> = new Set(['aggs', 'aggregations', 'meta']);

// ---- the search body ----

/** Top-level keys of a search body (SearchSourceBuilder) and what each takes. */
export const SEARCH_BODY: Params = {
  query: 'query', post_filter: 'query', aggs: 'object', aggregations: 'object', from: 'int', size: 'int', sort: 'sort', _source: 'source',
  track_total_hits: 'any', timeout: 'scalar', terminate_after: 'int', min_score: 'number', version: 'bool', seq_no_primary_term: 'bool',
  explain: 'bool', stored_fields: 'strings', docvalue_fields: 'array', fields: 'array', script_fields: 'object', derived: 'object',
  track_scores: 'bool', include_named_queries_score: 'bool', indices_boost: 'any', highlight: 'highlight', suggest: 'object', rescore: 'any',
  stats: 'strings', ext: 'object', profile: 'bool', search_after: 'array', collapse: 'object', slice: 'object', pit: 'object',
  search_pipeline: 'any', verbose_pipeline: 'bool',
};

/** `ext` sections and the plugin that reads each. */
export const EXT_SECTIONS: ReadonlyMap<string, PluginName> = new Map<string, PluginName>([
  ['rerank', 'neural-search'],
  ['generative_qa_parameters', 'ml-commons'],
  ['ml_inference', 'ml-commons'],
]);

export const RESCORE: Params = { window_size: 'int', query: 'object' };
export const RESCORE_QUERY: Params = { rescore_query: 'query', query_weight: 'number', rescore_query_weight: 'number', score_mode: 'scalar' };
export const SCRIPT_FIELD: Params = { script: 'script', ignore_failure: 'bool' };
export const PIT: Params = { id: 'scalar', keep_alive: 'scalar' };
export const SLICE: Params = { id: 'int', max: 'int', field: 'field' };
export const COLLAPSE: Params = { field: 'field', inner_hits: 'any', max_concurrent_group_searches: 'int' };

/** Options of a field sort ({"field": {...}}). */
export const FIELD_SORT: Params = { order: 'scalar', mode: 'scalar', missing: 'any', unmapped_type: 'scalar', format: 'scalar', nested: 'object', numeric_type: 'scalar', nested_path: 'scalar', nested_filter: 'query' };
export const SCRIPT_SORT: Params = { script: 'script', type: 'scalar', order: 'scalar', mode: 'scalar', nested: 'object' };
/** _geo_distance sorts: these options, plus one field name holding the origin point(s). */
export const GEO_DISTANCE_SORT: Params = { order: 'scalar', unit: 'scalar', mode: 'scalar', distance_type: 'scalar', ignore_unmapped: 'bool', validation_method: 'scalar', nested: 'object' };
export const NESTED_SORT: Params = { path: 'field', filter: 'query', max_children: 'int', nested: 'object' };
