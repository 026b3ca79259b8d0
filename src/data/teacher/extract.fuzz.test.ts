// Property tests of the teacher reply extractor on generated replies: rationale and query in every layout the
// extractor reads (headings, fences, bare JSON, <think> drafts, quoted snippets), degenerate model output (runs of
// backticks, spaces, braces, deep nesting), and the same replies cut off at a random point as max_tokens would.
// Whatever the reply: no crash, linear time, and a label is never a fragment: when the reply is cut inside its
// query, there is no label. Replay a failure with FC_SEED=<seed>.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTally, fuzzSeed, reliabilityRecord, tallyAdd } from '../../testing/reliability';
import { extractReply, scanJsonObjects } from './extract';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

const RUNS = 10_000;

const QUERIES = [
  { query: { term: { region: 'Europe' } } },
  { size: 0, aggs: { by_year: { date_histogram: { field: 'date', calendar_interval: 'year' } } } },
  { query: { bool: { must: [{ match_all: {} }], filter: [{ range: { amount: { gt: 10 } } }] } }, size: 5 },
  { query: { match: { notes: 'braces } { and "quotes" and ``` fences' } } },
];
const prose = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => s.replace(/[{}`<>]/g, '')),
  fc.constantFrom('Filter on region.', 'Use a date histogram.', 'Here is the query:', 'Hope it helps!', 'Step 1: pick the field.', 'I will use {"match_all": {}} first.', 'Not JSON { at all'),
);
const degenerate = fc.oneof(
  fc.integer({ min: 1, max: 12_000 }).map((n) => '`'.repeat(n)),
  fc.integer({ min: 1, max: 30_000 }).map((n) => `Query${' '.repeat(n)}`),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '{'.repeat(n)),
  fc.integer({ min: 1, max: 6_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => '<think>'.repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => '```json\n'.repeat(n)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '"'.repeat(n)),
);

interface Reply {
  text: string;
  /** Where the query object starts and ends in `text` (the label the reply means). */
  start: number;
  end: number;
  query: unknown;
}

const layout = fc.constantFrom('heading', 'json-fence', 'fence', 'bare', 'query-first', 'think');
const reply: fc.Arbitrary<Reply> = fc.tuple(layout, fc.constantFrom(...QUERIES), prose, prose, fc.boolean()).map(([kind, query, before, after, pretty]) => {
  const json = JSON.stringify(query, null, pretty ? 2 : undefined);
  const head = {
    heading: `Rationale: ${before}\nQuery:\n`,
    'json-fence': `Rationale:\n${before}\n\`\`\`json\n`,
    fence: `### Reasoning\n${before}\n### Query\n\`\`\`\n`,
    bare: `${before} `,
    'query-first': 'Query: ',
    think: `<think>\nDraft: {"query": {"match_all": {}}}\n</think>\nRationale: ${before}\n\`\`\`json\n`,
  }[kind];
  const tail = { heading: `\n${after}`, 'json-fence': '\n```', fence: '\n```\n', bare: `\n${after}`, 'query-first': `\nRationale: ${after}`, think: '\n```' }[kind];
  return { text: head + json + tail, start: head.length, end: head.length + json.length, query };
});

describe('teacher reply extractor, fuzzed', () => {
  it('complete replies give their query; replies cut inside it give no label; nothing crashes or takes long', () => {
    const seed = fuzzSeed();
    const tally = new Map<string, number>();
    let slowest = 0;
    const started = performance.now();
    const arb = fc.tuple(reply, fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.nat() }), fc.option(degenerate, { freq: 8 }));
    try {
      fc.assert(
        fc.property(arb, ([r, cutAt, noise]) => {
          const cut = cutAt === null ? r.text.length : cutAt % (r.text.length + 1);
          const text = r.text.slice(0, cut) + (noise && cutAt === null ? `\n${noise}` : '');
          const t = performance.now();
          const out = extractReply(text);
          slowest = Math.max(slowest, performance.now() - t);
          expect(typeof out.rationale).toBe('string');
          if (out.label === '') expect(out.from).toBe('none');
          if (cut > r.start && cut < r.end) {
            // Cut inside the query: any "label" would be a fragment or a quoted snippet.
            expect(out.label).toBe('');
            tallyAdd(tally, 'cut inside the query: no label');
          } else if (cut === r.text.length && !noise) {
            expect(out.parses).toBe(true);
            expect(JSON.parse(out.label)).toEqual(r.query);
            tallyAdd(tally, 'complete: the query');
          } else if (out.label === '') {
            tallyAdd(tally, `${cut <= r.start ? 'cut before the query' : 'other'}: no label${out.problem ? ` (${out.problem.replace(/ \(.*$/, '').replace(/\d+/g, 'N').slice(0, 50)})` : ''}`);
          } else if (cut >= r.end) {
            // The whole query is there: it is the label, or there is none.
            expect(JSON.parse(out.label)).toEqual(r.query);
            tallyAdd(tally, 'cut after the query: the query');
          } else {
            // Cut before the query began: what is left is a shorter reply; a label from it is a whole object of it.
            expect(out.parses).toBe(true);
            const whole = scanJsonObjects(text).filter((span) => span.balanced).map((span) => { try { return JSON.stringify(JSON.parse(span.text)); } catch { return null; } });
            expect(whole).toContain(out.label);
            tallyAdd(tally, 'cut before the query: a whole object the prose showed');
          }
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({
      area: 'teacher reply extractor',
      input: 'replies in 6 layouts (headings, json and plain fences, bare JSON, query first, <think> drafts), 2 in 3 cut at a random point, 1 in 8 of the rest followed by degenerate output (12,000 backticks, "Query" + 30,000 spaces, 30,000 {, JSON 6,000 deep, 5,000 <think>, 20,000 ")',
      cases: RUNS,
      outcome: `no crash; slowest reply ${slowest.toFixed(1)} ms (${(performance.now() - started).toFixed(0)} ms in all); ${describeTally(tally)}`,
    });
  });

  it('random text never crashes it', () => {
    const seed = fuzzSeed();
    let labels = 0;
    try {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom('{', '}', '"', '`', '```', '\n', 'Query:', '<think>', '</think>', 'json', ' ', 'a', ':', '\\'), { maxLength: 60 }).map((a) => a.join(''))), (text) => {
          const out = extractReply(text);
          if (out.label) labels++;
          if (out.parses) expect(typeof JSON.parse(out.label)).toBe('object');
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({ area: 'teacher reply extractor', input: 'random text and random mixes of braces, quotes, fences, headings and think tags', cases: RUNS, outcome: `no crash; ${labels.toLocaleString('en-US')} gave a label (an object of the text), the rest none` });
  });
});
