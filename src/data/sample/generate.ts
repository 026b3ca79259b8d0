// The built-in sample dataset: synthetic questions about the sales-reports index, each with a Query DSL label and
// a short step-by-step rationale (fields -> filters -> aggregation -> sort/size), as Distilling Step-by-Step uses.
//
// A question is composed from an intent (count, metric, breakdown, trend, list of orders...), each with several
// phrasings, 0-3 conditions and an optional time window, all picked by a seeded PRNG; the label is built from the
// same parts, so it always answers the question asked. Output is a pure function of the seed.

import { CHANNELS, SEGMENTS, PAYMENT_METHODS, CATEGORY_NAMES } from './catalog';
import { count, pick, pickTwo, randomConditions, type Clause, type Condition, type Rng } from './conditions';
import { REGIONS } from './geography';
import { SAMPLE_SCHEMA } from './schema';
import { INTERVALS_FOR, randomWindow, type TimeWindow } from './time';
import { seededRandom } from '../../common/random';
import { normalizeQuestion } from '../split';

export interface SampleRow {
  id: string;
  question: string;
  /** Query DSL, compact JSON text. */
  label: string;
  rationale: string;
}

export const SAMPLE_SEED = 20240607;
export const SAMPLE_SIZE = 1200;

interface Metric {
  op: 'count' | 'sum' | 'avg' | 'max' | 'min';
  field: string;
  nouns: string[];
}

const METRICS: Metric[] = [
  { op: 'count', field: '', nouns: ['the number of orders', 'the order count', 'the number of sales'] },
  { op: 'sum', field: 'amount', nouns: ['the total revenue', 'the total sales amount', 'the sum of sales', 'the overall turnover'] },
  { op: 'avg', field: 'amount', nouns: ['the average order value', 'the mean sale amount', 'the average sales amount'] },
  { op: 'max', field: 'amount', nouns: ['the largest single sale', 'the highest order amount', 'the biggest transaction'] },
  { op: 'min', field: 'amount', nouns: ['the smallest sale', 'the lowest order amount'] },
  { op: 'sum', field: 'quantity', nouns: ['the total number of units sold', 'the total quantity sold'] },
  { op: 'avg', field: 'quantity', nouns: ['the average quantity per order', 'the mean number of units per order'] },
  { op: 'avg', field: 'discount', nouns: ['the average discount', 'the mean discount rate'] },
  { op: 'max', field: 'discount', nouns: ['the highest discount given', 'the largest discount'] },
  { op: 'avg', field: 'unit_price', nouns: ['the average unit price', 'the mean list price'] },
  { op: 'avg', field: 'customer_rating', nouns: ['the average customer rating', 'the mean rating'] },
  { op: 'max', field: 'date', nouns: ['the date of the most recent sale', 'the latest order date'] },
  { op: 'min', field: 'date', nouns: ['the date of the earliest sale', 'the first order date'] },
];
const OP_WORD = { count: 'count', sum: 'total', avg: 'avg', max: 'max', min: 'min' } as const;
const metricName = (m: Metric): string => `${OP_WORD[m.op]}_${m.field}`;
const metricAgg = (m: Metric): Clause => ({ [metricName(m)]: { [m.op]: { field: m.field } } });
const metricStep = (m: Metric): string => `${m.op} of ${m.field}`;
const BUCKET_METRICS = METRICS.filter((m) => m.field !== 'date');

interface Dim {
  field: string;
  one: string;
  many: string;
  /** Bucket count for a full breakdown (all values). */
  size: number;
}

const DIMS: Dim[] = [
  { field: 'region', one: 'region', many: 'regions', size: REGIONS.length },
  { field: 'area', one: 'sales area', many: 'sales areas', size: 12 },
  { field: 'country', one: 'country', many: 'countries', size: 25 },
  { field: 'city', one: 'city', many: 'cities', size: 50 },
  { field: 'channel', one: 'channel', many: 'channels', size: CHANNELS.length },
  { field: 'product_category', one: 'product category', many: 'product categories', size: CATEGORY_NAMES.length },
  { field: 'brand', one: 'brand', many: 'brands', size: 12 },
  { field: 'customer_segment', one: 'customer segment', many: 'customer segments', size: SEGMENTS.length },
  { field: 'payment_method', one: 'payment method', many: 'payment methods', size: PAYMENT_METHODS.length },
  { field: 'product_name.keyword', one: 'product', many: 'products', size: 20 },
  { field: 'store_name.keyword', one: 'store', many: 'stores', size: 20 },
  { field: 'sales_rep', one: 'sales rep', many: 'sales reps', size: 20 },
];
const SMALL_DIMS = DIMS.filter((d) => d.size <= 12);
const bucketName = (d: Dim): string => `by_${d.field.replace('.keyword', '')}`;

const INTERVAL_WORDS: Record<string, { adj: string[]; per: string }> = {
  day: { adj: ['daily', 'day-by-day'], per: 'day' },
  week: { adj: ['weekly', 'week-by-week'], per: 'week' },
  month: { adj: ['monthly', 'month-by-month'], per: 'month' },
  quarter: { adj: ['quarterly'], per: 'quarter' },
  year: { adj: ['yearly', 'annual', 'year-over-year'], per: 'year' },
};

/** What an intent contributes besides the conditions: question template and the non-query parts of the label. */
interface Intent {
  /** Question with {C} (conditions) and {T} (time window) slots. */
  template: string;
  aggs?: Clause;
  sort?: Clause[];
  size?: number;
  source?: string[];
  trackTotalHits?: boolean;
  fields: string[];
  aggStep: string;
  sizeStep: string;
  needsTime?: boolean;
  needsCondition?: boolean;
}

type IntentMaker = (rng: Rng, conds: Condition[], time: TimeWindow | null) => Intent | null;

const usesField = (conds: Condition[], field: string): boolean => conds.some((c) => c.fields.includes(field.replace('.keyword', '')));
const LOCATION_LEVELS = ['region', 'area', 'country', 'city'];
/** Dimensions worth grouping by: not already fixed by a condition, and not coarser than a location filter. */
const freeDims = (dims: Dim[], conds: Condition[]): Dim[] => {
  const finest = Math.max(-1, ...LOCATION_LEVELS.map((f, i) => (usesField(conds, f) ? i : -1)));
  return dims.filter((d) => !usesField(conds, d.field) && !(LOCATION_LEVELS.indexOf(d.field) >= 0 && LOCATION_LEVELS.indexOf(d.field) <= finest));
};
const AGG_ONLY = 'size 0, because only the aggregation results are needed';

const countIntent: IntentMaker = (rng) => ({
  template: pick(rng, ['How many orders were placed{C}{T}?', 'Count the sales{C}{T}.', 'What is the number of transactions{C}{T}?',
    'How many sales were recorded{C}{T}?', 'Give me the order count{C}{T}.']),
  size: 0,
  trackTotalHits: true,
  fields: [],
  aggStep: 'none, the hit count answers the question',
  sizeStep: 'size 0 and track_total_hits true for an exact count',
});

const metricIntent: IntentMaker = (rng) => {
  const m = pick(rng, METRICS.filter((x) => x.op !== 'count'));
  const noun = pick(rng, m.nouns);
  return {
    template: pick(rng, [`What was ${noun}{C}{T}?`, `Calculate ${noun}{C}{T}.`, `Tell me ${noun}{C}{T}.`, `Show ${noun}{C}{T}.`, `What is ${noun} for orders{C}{T}?`]),
    aggs: metricAgg(m),
    size: 0,
    fields: [m.field],
    aggStep: `${metricStep(m)} as "${metricName(m)}"`,
    sizeStep: AGG_ONLY,
  };
};

const distinctIntent: IntentMaker = (rng, conds) => {
  const targets: [string, string[]][] = [
    ['customer_id', ['customers', 'distinct customers', 'unique buyers']],
    ['product_name.keyword', ['different products', 'distinct products']],
    ['store_name.keyword', ['stores', 'distinct stores']],
    ['city', ['cities', 'different cities']],
    ['sales_rep', ['sales reps', 'different sales reps']],
  ];
  const [field, nouns] = pick(rng, targets.filter(([f]) => !usesField(conds, f)));
  const noun = pick(rng, nouns);
  const name = `unique_${field.replace('.keyword', '')}`;
  return {
    template: pick(rng, [`How many ${noun} had sales{C}{T}?`, `Count the unique ${noun.replace(/^(distinct|different|unique) /, '')}{C}{T}.`,
      `What is the number of ${noun} with orders{C}{T}?`, `How many ${noun} appear in the sales data{C}{T}?`]),
    aggs: { [name]: { cardinality: { field } } },
    size: 0,
    fields: [field],
    aggStep: `cardinality of ${field} as "${name}"`,
    sizeStep: AGG_ONLY,
  };
};

const breakdownIntent: IntentMaker = (rng, conds) => {
  const dims = freeDims(SMALL_DIMS, conds);
  if (dims.length === 0) return null;
  const d = pick(rng, dims);
  const m = pick(rng, BUCKET_METRICS);
  const noun = pick(rng, m.nouns).replace(/^the /, '');
  const terms: Clause = { terms: { field: d.field, size: d.size } };
  const aggs = { [bucketName(d)]: m.op === 'count' ? terms : { ...terms, aggs: metricAgg(m) } };
  return {
    template: pick(rng, [`Break down ${noun} by ${d.one}{C}{T}.`, `What is ${noun} per ${d.one}{C}{T}?`, `Show ${noun} for each ${d.one}{C}{T}.`,
      `Compare ${noun} across ${d.many}{C}{T}.`]),
    aggs,
    size: 0,
    fields: [d.field, m.field],
    aggStep: `terms on ${d.field} (size ${d.size}, all values)${m.op === 'count' ? ' with doc counts' : `, each bucket with ${metricStep(m)}`}`,
    sizeStep: AGG_ONLY,
  };
};

const topIntent: IntentMaker = (rng, conds) => {
  const dims = freeDims(DIMS, conds);
  const d = pick(rng, dims);
  const m = pick(rng, BUCKET_METRICS.filter((x) => x.op === 'count' || x.op === 'sum' || x.op === 'avg'));
  const best = rng() < 0.8;
  const k = best ? pick(rng, [1, 3, 5, 10]) : pick(rng, [1, 3, 5]);
  const orderKey = m.op === 'count' ? '_count' : metricName(m);
  const dir = best ? 'desc' : 'asc';
  const terms: Clause = { terms: { field: d.field, size: k, order: { [orderKey]: dir } } };
  const noun = pick(rng, m.nouns).replace(/^the /, '');
  const most = m.op === 'count' ? (best ? 'the most orders' : 'the fewest orders') : `the ${best ? 'highest' : 'lowest'} ${noun}`;
  const template = k === 1
    ? pick(rng, [`Which ${d.one} had ${most}{C}{T}?`, `Which ${d.one} has ${most}{C}{T}?`, `Find the ${d.one} with ${most}{C}{T}.`])
    : pick(rng, [`What are the ${best ? 'top' : 'bottom'} ${count(rng, k)} ${d.many} by ${noun}{C}{T}?`, `List the ${count(rng, k)} ${d.many} with ${most}{C}{T}.`,
      `Which ${count(rng, k)} ${d.many} had ${most}{C}{T}?`]);
  return {
    template,
    aggs: { [bucketName(d)]: m.op === 'count' ? terms : { ...terms, aggs: metricAgg(m) } },
    size: 0,
    fields: [d.field, m.field],
    aggStep: `terms on ${d.field}${m.op === 'count' ? '' : ` with ${metricStep(m)} per bucket`}, ordered by ${orderKey} ${dir}, size ${k}`,
    sizeStep: AGG_ONLY,
  };
};

function histogram(rng: Rng, time: TimeWindow): [string, Clause, string] {
  const interval = pick(rng, INTERVALS_FOR[time.span]);
  return [interval, { date_histogram: { field: 'date', calendar_interval: interval } }, `date_histogram on date per ${interval}`];
}

const trendIntent: IntentMaker = (rng, _conds, time) => {
  if (!time) return null;
  const [interval, hist, histStep] = histogram(rng, time);
  const m = pick(rng, BUCKET_METRICS);
  const noun = pick(rng, m.nouns);
  const adj = pick(rng, INTERVAL_WORDS[interval].adj);
  const per = INTERVAL_WORDS[interval].per;
  const bare = noun.replace(/^the /, '');
  return {
    template: pick(rng, [`How has ${noun}{C} changed{T}? Show it per ${per}.`, `Show the ${adj} ${bare}{C}{T}.`, `Plot ${bare} per ${per}{C}{T}.`,
      `What is the ${adj} trend of ${bare}{C}{T}?`, `Give me ${bare} by ${per}{C}{T}.`]),
    aggs: { [`per_${interval}`]: m.op === 'count' ? hist : { ...hist, aggs: metricAgg(m) } },
    size: 0,
    fields: ['date', m.field],
    aggStep: `${histStep}${m.op === 'count' ? ' with doc counts' : `, each bucket with ${metricStep(m)}`}`,
    sizeStep: AGG_ONLY,
    needsTime: true,
  };
};

const nestedIntent: IntentMaker = (rng, conds, time) => {
  const dims = freeDims(SMALL_DIMS, conds);
  const m = pick(rng, BUCKET_METRICS.filter((x) => x.op !== 'min'));
  const noun = pick(rng, m.nouns).replace(/^the /, '');
  const leaf = (d: Dim): Clause => {
    const terms = { terms: { field: d.field, size: d.size } };
    return { [bucketName(d)]: m.op === 'count' ? terms : { ...terms, aggs: metricAgg(m) } };
  };
  const metricPart = m.op === 'count' ? 'doc counts' : metricStep(m);
  if (time && rng() < 0.5 && dims.length > 0) {
    const d = pick(rng, dims);
    const [interval, hist, histStep] = histogram(rng, time);
    const adj = pick(rng, INTERVAL_WORDS[interval].adj);
    const per = INTERVAL_WORDS[interval].per;
    return {
      template: pick(rng, [`Show the ${adj} ${noun} per ${d.one}{C}{T}.`, `For each ${per}, break down ${noun} by ${d.one}{C}{T}.`,
        `How has ${noun} for each ${d.one} evolved{C}{T}? Group by ${per}.`]),
      aggs: { [`per_${interval}`]: { ...hist, aggs: leaf(d) } },
      size: 0,
      fields: ['date', d.field, m.field],
      aggStep: `${histStep}, inside it terms on ${d.field} (size ${d.size}) with ${metricPart}`,
      sizeStep: AGG_ONLY,
    };
  }
  if (dims.length < 2) return null;
  const [outer, inner] = pickTwo(rng, dims);
  return {
    template: pick(rng, [`For each ${outer.one}, show ${noun} by ${inner.one}{C}{T}.`, `Break down ${noun} by ${outer.one} and then by ${inner.one}{C}{T}.`,
      `What is ${noun} per ${inner.one} within each ${outer.one}{C}{T}?`]),
    aggs: { [bucketName(outer)]: { terms: { field: outer.field, size: outer.size }, aggs: leaf(inner) } },
    size: 0,
    fields: [outer.field, inner.field, m.field],
    aggStep: `terms on ${outer.field} (size ${outer.size}), inside it terms on ${inner.field} (size ${inner.size}) with ${metricPart}`,
    sizeStep: AGG_ONLY,
  };
};

const statsIntent: IntentMaker = (rng) => {
  const [field, noun] = pick(rng, [['amount', 'order amounts'], ['quantity', 'order quantities'], ['discount', 'discounts'], ['unit_price', 'unit prices']] as const);
  const ms: Metric[] = (['min', 'max', 'avg'] as const).map((op) => ({ op, field, nouns: [] }));
  return {
    template: pick(rng, [`What are the minimum, maximum and average ${noun}{C}{T}?`, `Give me the lowest, highest and mean ${noun}{C}{T}.`,
      `Summarise ${noun} (min, max, average){C}{T}.`]),
    aggs: Object.assign({}, ...ms.map(metricAgg)) as Clause,
    size: 0,
    fields: [field],
    aggStep: `three sibling metrics on ${field}: min, max and avg`,
    sizeStep: AGG_ONLY,
  };
};

const SORTS: { field: string; order: 'asc' | 'desc'; adj: string[]; tail: string[] }[] = [
  { field: 'date', order: 'desc', adj: ['most recent', 'latest', 'newest'], tail: ['newest first', 'most recent first'] },
  { field: 'date', order: 'asc', adj: ['oldest', 'earliest'], tail: ['oldest first'] },
  { field: 'amount', order: 'desc', adj: ['largest', 'biggest', 'highest-value'], tail: ['largest first', 'sorted by amount from high to low'] },
  { field: 'amount', order: 'asc', adj: ['smallest', 'lowest-value'], tail: ['smallest first', 'sorted by amount from low to high'] },
  { field: 'discount', order: 'desc', adj: ['most discounted'], tail: ['highest discount first'] },
  { field: 'quantity', order: 'desc', adj: ['bulkiest'], tail: ['by quantity, largest first'] },
];
const SOURCE_CHOICES: [string[], string][] = [
  [['order_id', 'date', 'amount'], 'order id, date and amount'],
  [['date', 'city', 'amount'], 'date, city and amount'],
  [['order_id', 'product_name', 'quantity', 'amount'], 'order id, product, quantity and amount'],
  [['date', 'customer_id', 'amount'], 'date, customer and amount'],
  [['order_id', 'store_name', 'date'], 'order id, store and date'],
];

const listIntent: IntentMaker = (rng, conds) => {
  const s = pick(rng, SORTS);
  const n = pick(rng, [3, 5, 10, 20, 25, 50]);
  const [source, sourceWords] = rng() < 0.4 ? pick(rng, SOURCE_CHOICES) : [undefined, ''];
  const showing = source ? pick(rng, [`, showing only ${sourceWords}`, `; return just the ${sourceWords}`]) : '';
  if (conds.length > 0 && rng() < 0.15) {
    return {
      template: pick(rng, ['Find orders{C}{T}', 'Show me sales{C}{T}', 'Search for transactions{C}{T}']) + `${showing}.`,
      source,
      fields: source ?? [],
      aggStep: 'none, the matching orders are returned',
      sizeStep: `default size and relevance order${source ? `; _source limited to ${source.join(', ')}` : ''}`,
      needsCondition: true,
    };
  }
  const w = count(rng, n);
  const template = pick(rng, [`Show the ${w} ${pick(rng, s.adj)} orders{C}{T}`, `List the ${w} ${pick(rng, s.adj)} sales{C}{T}`,
    `Find ${w} orders{C}{T}, ${pick(rng, s.tail)}`, `Get the ${w} ${pick(rng, s.adj)} transactions{C}{T}`]) + `${showing}.`;
  return {
    template,
    sort: [{ [s.field]: { order: s.order } }],
    size: n,
    source,
    fields: [s.field, ...(source ?? [])],
    aggStep: 'none, the matching orders are returned',
    sizeStep: `sort by ${s.field} ${s.order}, size ${n}${source ? `, _source limited to ${source.join(', ')}` : ''}`,
  };
};

const INTENTS: [IntentMaker, number][] = [
  [countIntent, 10], [metricIntent, 16], [distinctIntent, 7], [breakdownIntent, 16], [topIntent, 12],
  [trendIntent, 14], [nestedIntent, 9], [statsIntent, 4], [listIntent, 16],
];

function pickIntent(rng: Rng): IntentMaker {
  const total = INTENTS.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [maker, w] of INTENTS) if ((x -= w) < 0) return maker;
  return listIntent;
}

/** Bool query from conditions in question order; one lone full-text condition stands on its own. */
function buildQuery(parts: { occur: Condition['occur']; clauses: Clause[] }[]): Clause | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0].occur === 'must' && parts[0].clauses.length === 1) return parts[0].clauses[0];
  const bool: Clause = {};
  for (const occur of ['must', 'filter', 'should', 'must_not'] as const) {
    const clauses = parts.filter((p) => p.occur === occur).flatMap((p) => p.clauses);
    if (clauses.length > 0) bool[occur] = clauses;
  }
  if (bool.should) bool.minimum_should_match = 1;
  return { bool };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const TYPES = new Map(SAMPLE_SCHEMA.fields.map((f) => [f.name, f.type]));
const typed = (f: string): string => `${f} (${f.endsWith('.keyword') ? 'keyword' : TYPES.get(f)})`;

function sampleOne(rng: Rng): SampleRow | null {
  const maker = pickIntent(rng);
  const nConds = pick(rng, [0, 1, 1, 1, 2, 2, 2, 3]);
  const conds = randomConditions(rng, nConds);
  const time = maker === trendIntent || rng() < 0.6 ? randomWindow(rng) : null;
  const intent = maker(rng, conds, time);
  if (!intent || (intent.needsCondition && conds.length === 0)) return null;

  // Question: conditions in a random order, the time window at the end or (sometimes) up front.
  const timeFirst = time !== null && !intent.needsTime && rng() < 0.2;
  const C = conds.map((c) => ` ${c.phrase}`).join('');
  const T = time && !timeFirst ? ` ${time.phrase}` : '';
  let question = intent.template.replace('{C}', C).replace('{T}', T);
  if (timeFirst) question = `${capitalise(time!.phrase)}, ${question.charAt(0).toLowerCase()}${question.slice(1)}`;
  question = capitalise(question);

  const parts: { occur: Condition['occur']; clauses: Clause[]; step: string; fields: string[] }[] = conds.map((c) => ({ ...c }));
  const timePart = time ? { occur: 'filter' as const, clauses: [time.clause], step: time.step, fields: ['date'] } : null;
  if (timePart) (timeFirst ? parts.unshift(timePart) : parts.push(timePart));

  const query = buildQuery(parts);
  const body: Clause = {};
  if (query) body.query = query;
  if (intent.aggs) body.aggs = intent.aggs;
  if (intent.sort) body.sort = intent.sort;
  if (intent.size !== undefined) body.size = intent.size;
  if (intent.source) body._source = intent.source;
  if (intent.trackTotalHits) body.track_total_hits = true;

  const fields = [...new Set([...parts.flatMap((p) => p.fields), ...intent.fields].filter((f) => f !== ''))];
  const rationale = [
    `1. Fields: ${fields.length > 0 ? fields.map(typed).join(', ') : 'none beyond the documents themselves'}.`,
    `2. Filters: ${parts.length > 0 ? parts.map((p) => p.step).join('; ') : 'none, all orders count'}.`,
    `3. Aggregation: ${intent.aggStep}.`,
    `4. Sort/size: ${intent.sizeStep}.`,
  ].join(' ');
  return { id: '', question, label: JSON.stringify(body), rationale };
}

/** `count` rows with distinct (normalised) questions, ids sales-0001..., fully determined by `seed`. */
export function generateSampleRows(count = SAMPLE_SIZE, seed = SAMPLE_SEED): SampleRow[] {
  const rng = seededRandom(seed);
  const seen = new Set<string>();
  const rows: SampleRow[] = [];
  for (let attempts = 0; rows.length < count; attempts++) {
    if (attempts > count * 20) throw new Error(`could only make ${rows.length} distinct questions out of ${count}`);
    const row = sampleOne(rng);
    if (!row) continue;
    const key = normalizeQuestion(row.question);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ ...row, id: `sales-${String(rows.length + 1).padStart(4, '0')}` });
  }
  return rows;
}

/** The JSONL file text: one {"id","question","label","rationale"} object per line. */
export function sampleJsonl(rows: SampleRow[]): string {
  return rows.map((r) => JSON.stringify({ id: r.id, question: r.question, label: r.label, rationale: r.rationale }) + '\n').join('');
}
