// Time windows of the sample questions: relative ones in date math (now-10y/d, now/y...) and calendar ones with
// explicit dates. Each window says how long it is, so trend questions pick a sensible histogram interval.

import { count, pick, type Clause, type Rng } from './conditions';

export type Span = 'years' | 'year' | 'months' | 'weeks';

export interface TimeWindow {
  phrase: string;
  clause: Clause;
  span: Span;
  step: string;
}

const range = (bounds: Record<string, string>): Clause => ({ range: { date: bounds } });
const describe = (bounds: Record<string, string>): string =>
  `date ${Object.entries(bounds).map(([op, v]) => `${{ gte: '>=', gt: '>', lt: '<', lte: '<=' }[op]} ${v}`).join(' and ')} -> range in filter`;

function window(phrase: string, bounds: Record<string, string>, span: Span): TimeWindow {
  return { phrase, clause: range(bounds), span, step: describe(bounds) };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const QUARTER_WORDS = ['first', 'second', 'third', 'fourth'];
const YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024];
const pad = (n: number): string => String(n).padStart(2, '0');

const WINDOWS: ((rng: Rng) => TimeWindow)[] = [
  (rng) => {
    const n = pick(rng, [2, 3, 5, 10]);
    const w = count(rng, n);
    return window(pick(rng, [`over the last ${w} years`, `in the past ${w} years`, `during the last ${w} years`]), { gte: `now-${n}y/d` }, 'years');
  },
  (rng) => {
    const n = pick(rng, [3, 6, 9, 12, 18]);
    const w = count(rng, n);
    return window(pick(rng, [`over the last ${w} months`, `in the past ${w} months`]), { gte: `now-${n}M/d` }, 'months');
  },
  (rng) => {
    const n = pick(rng, [2, 4, 8]);
    return window(pick(rng, [`over the last ${count(rng, n)} weeks`, `in the past ${n} weeks`]), { gte: `now-${n}w/d` }, 'weeks');
  },
  (rng) => {
    const n = pick(rng, [7, 14, 30, 90]);
    return window(pick(rng, [`in the last ${n} days`, `over the past ${n} days`]), { gte: `now-${n}d/d` }, n > 30 ? 'months' : 'weeks');
  },
  (rng) => window(pick(rng, ['last year', 'during the previous calendar year']), { gte: 'now-1y/y', lt: 'now/y' }, 'year'),
  (rng) => window(pick(rng, ['this year', 'so far this year', 'year to date']), { gte: 'now/y' }, 'year'),
  (rng) => window(pick(rng, ['last month', 'during the previous month']), { gte: 'now-1M/M', lt: 'now/M' }, 'weeks'),
  (rng) => window(pick(rng, ['this month', 'so far this month']), { gte: 'now/M' }, 'weeks'),
  (rng) => {
    const y = pick(rng, YEARS);
    return window(pick(rng, [`in ${y}`, `during ${y}`, `for the year ${y}`]), { gte: `${y}-01-01`, lt: `${y + 1}-01-01` }, 'year');
  },
  (rng) => {
    const y = pick(rng, YEARS);
    const q = Math.floor(rng() * 4);
    const end = q === 3 ? `${y + 1}-01-01` : `${y}-${pad(q * 3 + 4)}-01`;
    return window(pick(rng, [`in Q${q + 1} ${y}`, `during the ${QUARTER_WORDS[q]} quarter of ${y}`]), { gte: `${y}-${pad(q * 3 + 1)}-01`, lt: end }, 'months');
  },
  (rng) => {
    const y = pick(rng, YEARS);
    const m = Math.floor(rng() * 12);
    const end = m === 11 ? `${y + 1}-01-01` : `${y}-${pad(m + 2)}-01`;
    return window(pick(rng, [`in ${MONTHS[m]} ${y}`, `during ${MONTHS[m]} ${y}`]), { gte: `${y}-${pad(m + 1)}-01`, lt: end }, 'weeks');
  },
  (rng) => {
    const y = pick(rng, YEARS.slice(0, -1));
    const m = Math.floor(rng() * 12);
    return window(pick(rng, [`since ${MONTHS[m]} ${y}`, `from ${MONTHS[m]} ${y} onwards`]), { gte: `${y}-${pad(m + 1)}-01` }, 'years');
  },
  (rng) => {
    const a = pick(rng, YEARS.slice(0, -2));
    const b = a + pick(rng, [1, 2, 3]);
    return window(pick(rng, [`between ${a} and ${b}`, `from ${a} to ${b}`]), { gte: `${a}-01-01`, lt: `${b + 1}-01-01` }, 'years');
  },
  (rng) => {
    const y = pick(rng, YEARS.slice(1));
    return window(pick(rng, [`before ${y}`, `prior to ${y}`]), { lt: `${y}-01-01` }, 'years');
  },
];

/** One window, uniformly over the kinds above (8 of the 14 kinds are relative to now). */
export function randomWindow(rng: Rng): TimeWindow {
  return pick(rng, WINDOWS)(rng);
}

/** Histogram intervals that make sense for a window's length. */
export const INTERVALS_FOR: Record<Span, string[]> = {
  years: ['month', 'quarter', 'year'],
  year: ['week', 'month', 'quarter'],
  months: ['week', 'month'],
  weeks: ['day', 'week'],
};
