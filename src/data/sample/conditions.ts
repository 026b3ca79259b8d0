// Conditions of the sample questions: each turns into a question phrase, Query DSL clauses placed in a bool
// occurrence, and one rationale step. Conditions in the same group would contradict or repeat each other, so a
// question takes at most one per group.

import { BRANDS, CATEGORY_NAMES, CHANNELS, NOTE_TOPICS, PAYMENT_METHODS, PRODUCTS, SEGMENTS } from './catalog';
import { AREAS, CITIES, COUNTRIES, REGIONS } from './geography';

export type Rng = () => number;
export type Occur = 'filter' | 'must' | 'must_not' | 'should';
export type Clause = Record<string, unknown>;

export interface Condition {
  groups: string[];
  phrase: string;
  occur: Occur;
  clauses: Clause[];
  fields: string[];
  /** Rationale fragment, e.g. `region is "Europe" -> term in filter`. */
  step: string;
}

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
export const pickTwo = <T>(rng: Rng, xs: readonly T[]): [T, T] => {
  const a = pick(rng, xs);
  let b = pick(rng, xs);
  while (b === a) b = pick(rng, xs);
  return [a, b];
};

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
/** "5" or "five", at random, for small numbers. */
export const count = (rng: Rng, n: number): string => (n < NUMBER_WORDS.length && rng() < 0.4 ? NUMBER_WORDS[n] : String(n));
/** 2500 -> "2,500" (not toLocaleString: the output must not depend on the ICU build). */
const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
const euros = (rng: Rng, n: number): string => pick(rng, [`€${grouped(n)}`, `${grouped(n)} EUR`, `${n} euros`, `${grouped(n)} euros`]);

const term = (field: string, value: string | number | boolean): Clause => ({ term: { [field]: value } });

function make(groups: string[], phrase: string, occur: Occur, clauses: Clause[], fields: string[], step: string): Condition {
  return { groups, phrase, occur, clauses, fields, step };
}

type Maker = (rng: Rng) => Condition;

const location: Maker[] = [
  (rng) => {
    const r = pick(rng, REGIONS);
    return make(['location'], pick(rng, [`in ${r}`, `in the ${r} region`, `across ${r}`]), 'filter', [term('region', r)], ['region'], `region is "${r}" -> term in filter`);
  },
  (rng) => {
    const a = pick(rng, AREAS);
    return make(['location'], pick(rng, [`in the ${a} area`, `in sales area ${a}`, `for the ${a} sales area`]), 'filter', [term('area', a)], ['area'], `area is "${a}" -> term in filter`);
  },
  (rng) => {
    const c = pick(rng, COUNTRIES);
    const the = ['United States', 'United Kingdom', 'Netherlands', 'United Arab Emirates'].includes(c) ? 'the ' : '';
    return make(['location'], pick(rng, [`in ${the}${c}`, `for customers in ${the}${c}`, `from ${the}${c}`]), 'filter', [term('country', c)], ['country'], `country is "${c}" -> term in filter`);
  },
  (rng) => {
    const c = pick(rng, CITIES);
    return make(['location'], pick(rng, [`in ${c}`, `in the city of ${c}`, `at our ${c} locations`]), 'filter', [term('city', c)], ['city'], `city is "${c}" -> term in filter`);
  },
  (rng) => {
    const [a, b] = pickTwo(rng, CITIES);
    return make(['location'], pick(rng, [`in ${a} or ${b}`, `in ${a} and ${b}`, `in either ${a} or ${b}`]), 'filter', [{ terms: { city: [a, b] } }], ['city'], `city is "${a}" or "${b}" -> terms in filter`);
  },
  (rng) => {
    const [a, b] = pickTwo(rng, REGIONS);
    return make(['location'], pick(rng, [`in ${a} or ${b}`, `in the ${a} and ${b} regions`, `across ${a} and ${b}`]), 'filter', [{ terms: { region: [a, b] } }], ['region'], `region is "${a}" or "${b}" -> terms in filter`);
  },
  (rng) => {
    const c = pick(rng, COUNTRIES.filter((x) => x !== 'Singapore'));
    return make(['location'], pick(rng, [`outside ${c}`, `excluding ${c}`, `not counting ${c}`]), 'must_not', [term('country', c)], ['country'], `country is not "${c}" -> term in must_not`);
  },
];

const channel: Maker[] = [
  (rng) => {
    const c = pick(rng, CHANNELS);
    const phrases = c === 'online' ? ['sold online', 'through the online channel', 'from the web shop'] : [`through the ${c} channel`, `via ${c} sales`, `sold through ${c}`];
    return make(['channel'], pick(rng, phrases), 'filter', [term('channel', c)], ['channel'], `channel is "${c}" -> term in filter`);
  },
  (rng) => {
    const [a, b] = pickTwo(rng, CHANNELS);
    return make(['channel'], pick(rng, [`sold through either ${a} or ${b}`, `coming from the ${a} or ${b} channel`, `from ${a} or ${b} sales`]), 'should',
      [term('channel', a), term('channel', b)], ['channel'], `channel is "${a}" or "${b}" -> two terms in should, minimum_should_match 1`);
  },
  (rng) => {
    const c = pick(rng, CHANNELS);
    return make(['channel'], pick(rng, [`excluding ${c} sales`, `not counting the ${c} channel`, `leaving out ${c} orders`]), 'must_not', [term('channel', c)], ['channel'], `channel is not "${c}" -> term in must_not`);
  },
  (rng) => {
    const c = pick(rng, COUNTRIES);
    const ch = pick(rng, CHANNELS);
    return make(['channel', 'location'], `either in ${c} or through the ${ch} channel`, 'should', [term('country', c), term('channel', ch)], ['country', 'channel'],
      `country is "${c}" or channel is "${ch}" -> two terms in should, minimum_should_match 1`);
  },
];

const product: Maker[] = [
  (rng) => {
    const c = pick(rng, CATEGORY_NAMES);
    return make(['category'], pick(rng, [`for ${c}`, `in the ${c} category`, `of ${c} products`]), 'filter', [term('product_category', c)], ['product_category'], `product_category is "${c}" -> term in filter`);
  },
  (rng) => {
    const c = pick(rng, CATEGORY_NAMES);
    return make(['category'], pick(rng, [`except ${c}`, `excluding the ${c} category`, `other than ${c}`]), 'must_not', [term('product_category', c)], ['product_category'], `product_category is not "${c}" -> term in must_not`);
  },
  (rng) => {
    const b = pick(rng, BRANDS);
    return make(['category'], pick(rng, [`of the ${b} brand`, `for ${b} products`, `of ${b} items`]), 'filter', [term('brand', b)], ['brand'], `brand is "${b}" -> term in filter`);
  },
  (rng) => {
    const p = pick(rng, PRODUCTS);
    return make(['category', 'text'], pick(rng, [`of the ${p}`, `for the product ${p}`, `involving the ${p}`]), 'must', [{ match_phrase: { product_name: p } }], ['product_name'], `product_name contains the phrase "${p}" -> match_phrase in must`);
  },
];

const text: Maker[] = [
  (rng) => {
    const t = pick(rng, NOTE_TOPICS);
    return make(['text'], pick(rng, [`mentioning ${t}`, `whose notes mention ${t}`, `with notes about ${t}`]), 'must', [{ match: { notes: t } }], ['notes'], `notes mention "${t}" -> full-text match in must`);
  },
  (rng) => {
    const t = pick(rng, NOTE_TOPICS);
    return make(['text'], pick(rng, [`mentioning ${t} in the product name or notes`, `with ${t} in the notes or product name`]), 'must',
      [{ multi_match: { query: t, fields: ['notes', 'product_name'] } }], ['notes', 'product_name'], `"${t}" in notes or product_name -> multi_match in must`);
  },
];

const amounts = [50, 100, 250, 500, 1000, 2500, 5000, 10000];
const numeric: Maker[] = [
  (rng) => {
    const x = pick(rng, amounts);
    return pick(rng, [
      () => make(['amount'], pick(rng, [`over ${euros(rng, x)}`, `worth more than ${euros(rng, x)}`]), 'filter', [{ range: { amount: { gt: x } } }], ['amount'], `amount > ${x} -> range in filter`),
      () => make(['amount'], pick(rng, [`of at least ${euros(rng, x)}`, `worth ${euros(rng, x)} or more`]), 'filter', [{ range: { amount: { gte: x } } }], ['amount'], `amount >= ${x} -> range in filter`),
      () => make(['amount'], pick(rng, [`under ${euros(rng, x)}`, `below ${euros(rng, x)}`]), 'filter', [{ range: { amount: { lt: x } } }], ['amount'], `amount < ${x} -> range in filter`),
      () => {
        const y = x * pick(rng, [2, 4, 5]);
        return make(['amount'], `between ${euros(rng, x)} and ${euros(rng, y)}`, 'filter', [{ range: { amount: { gte: x, lte: y } } }], ['amount'], `${x} <= amount <= ${y} -> range in filter`);
      },
    ])();
  },
  (rng) => {
    const p = pick(rng, [10, 15, 20, 25, 30]);
    return rng() < 0.5
      ? make(['discount'], pick(rng, [`with a discount of at least ${p}%`, `discounted by ${p}% or more`]), 'filter', [{ range: { discount: { gte: p / 100 } } }], ['discount'], `discount >= ${p / 100} -> range in filter`)
      : make(['discount'], pick(rng, [`with more than ${p}% discount`, `with a discount above ${p}%`]), 'filter', [{ range: { discount: { gt: p / 100 } } }], ['discount'], `discount > ${p / 100} -> range in filter`);
  },
  (rng) => {
    const q = pick(rng, [2, 5, 10, 20, 50]);
    return rng() < 0.5
      ? make(['quantity'], pick(rng, [`with more than ${q} units`, `of more than ${q} items`]), 'filter', [{ range: { quantity: { gt: q } } }], ['quantity'], `quantity > ${q} -> range in filter`)
      : make(['quantity'], pick(rng, [`of at least ${q} units`, `with ${q} or more items`]), 'filter', [{ range: { quantity: { gte: q } } }], ['quantity'], `quantity >= ${q} -> range in filter`);
  },
  (rng) => {
    const r = pick(rng, [2, 3, 4]);
    return rng() < 0.5
      ? make(['rating'], pick(rng, [`rated ${r} stars or higher`, `with a customer rating of at least ${r}`]), 'filter', [{ range: { customer_rating: { gte: r } } }], ['customer_rating'], `customer_rating >= ${r} -> range in filter`)
      : make(['rating'], pick(rng, [`rated below ${r} stars`, `with a customer rating under ${r}`]), 'filter', [{ range: { customer_rating: { lt: r } } }], ['customer_rating'], `customer_rating < ${r} -> range in filter`);
  },
];

const flags: Maker[] = [
  (rng) => make(['returned'], pick(rng, ['that were returned', 'that came back as returns']), 'filter', [term('returned', true)], ['returned'], 'returned is true -> term in filter'),
  (rng) => make(['returned'], pick(rng, ['excluding returned orders', 'that were not returned', 'leaving out returns']), 'must_not', [term('returned', true)], ['returned'], 'returned is true -> term in must_not'),
  (rng) => make(['promo'], pick(rng, ['that used a promo code', 'with a promotion code applied']), 'filter', [{ exists: { field: 'promo_code' } }], ['promo_code'], 'promo_code is present -> exists in filter'),
  (rng) => make(['promo'], pick(rng, ['without a promo code', 'where no promo code was used']), 'must_not', [{ exists: { field: 'promo_code' } }], ['promo_code'], 'promo_code is absent -> exists in must_not'),
  (rng) => make(['rating'], pick(rng, ['that have a customer rating', 'that customers rated']), 'filter', [{ exists: { field: 'customer_rating' } }], ['customer_rating'], 'customer_rating is present -> exists in filter'),
  (rng) => make(['rating'], pick(rng, ['without a customer rating', 'that are not rated yet']), 'must_not', [{ exists: { field: 'customer_rating' } }], ['customer_rating'], 'customer_rating is absent -> exists in must_not'),
  (rng) => make(['delivery'], pick(rng, ['that have been delivered', 'already delivered']), 'filter', [{ exists: { field: 'delivered_at' } }], ['delivered_at'], 'delivered_at is present -> exists in filter'),
  (rng) => make(['delivery'], pick(rng, ['not delivered yet', 'still awaiting delivery']), 'must_not', [{ exists: { field: 'delivered_at' } }], ['delivered_at'], 'delivered_at is absent -> exists in must_not'),
  (rng) => {
    const s = pick(rng, SEGMENTS);
    return make(['segment'], pick(rng, [`to ${s} customers`, `from the ${s} segment`]), 'filter', [term('customer_segment', s)], ['customer_segment'], `customer_segment is "${s}" -> term in filter`);
  },
  (rng) => {
    const p = pick(rng, PAYMENT_METHODS);
    return make(['payment'], pick(rng, [`paid by ${p}`, `paid with ${p}`]), 'filter', [term('payment_method', p)], ['payment_method'], `payment_method is "${p}" -> term in filter`);
  },
];

/** Families with weights: locations and channels come up most, as in real sales questions. */
const FAMILIES: [Maker[], number][] = [[location, 4], [channel, 2], [product, 3], [text, 1.2], [numeric, 2], [flags, 2.5]];

export function randomCondition(rng: Rng): Condition {
  const total = FAMILIES.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [makers, w] of FAMILIES) {
    if ((x -= w) < 0) return pick(rng, makers)(rng);
  }
  return pick(rng, location)(rng);
}

/** Up to n conditions that share no group. */
export function randomConditions(rng: Rng, n: number): Condition[] {
  const out: Condition[] = [];
  for (let tries = 0; out.length < n && tries < 20; tries++) {
    const c = randomCondition(rng);
    if (!c.groups.some((g) => out.some((o) => o.groups.includes(g)))) out.push(c);
  }
  return out;
}
