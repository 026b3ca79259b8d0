import { afterAll, describe, expect, it } from 'vitest';
import { reliabilityRecord } from '../../testing/reliability';
import { extractReply, scanJsonObjects } from './extract';

const Q = { size: 0, query: { range: { date: { gte: 'now-10y/y' } } }, aggs: { by_year: { date_histogram: { field: 'date', calendar_interval: 'year' } } } };
const QJ = JSON.stringify(Q);

describe('scanJsonObjects', () => {
  it('respects braces inside strings and escaped quotes', () => {
    const text = 'see {"a": "x}y\\"}", "b": {"c": 1}} and {"d": 2}';
    const spans = scanJsonObjects(text);
    expect(spans.map((s) => s.text)).toEqual(['{"a": "x}y\\"}", "b": {"c": 1}}', '{"d": 2}']);
    expect(spans.every((s) => s.balanced)).toBe(true);
  });
  it('finds the objects after a stray brace in prose, and reports an object cut off', () => {
    expect(scanJsonObjects('prose { not json, then {"q": 1}').map((s) => [s.text, s.balanced])).toEqual([['{"q": 1}', true]]);
    expect(scanJsonObjects('a {"q": 1} then {"r": {"s": 2').map((s) => [s.text, s.balanced])).toEqual([['{"q": 1}', true], ['{"r": {"s": 2', false]]);
  });
});

describe('extractReply', () => {
  it('reads a json fence with a Rationale heading', () => {
    const raw = `Rationale:\n1. The date field holds the sale date.\n2. Filter the last ten years.\n\nQuery:\n\`\`\`json\n${JSON.stringify(Q, null, 2)}\n\`\`\``;
    const r = extractReply(raw);
    expect(r.from).toBe('json-fence');
    expect(r.parses).toBe(true);
    expect(JSON.parse(r.label)).toEqual(Q);
    expect(r.rationale).toBe('1. The date field holds the sale date.\n2. Filter the last ten years.');
  });
  it('reads bare JSON with prose before and trailing commentary after', () => {
    const raw = `We need the date field and a yearly histogram. Here is the query: ${QJ}\nThis returns one bucket per year. Hope it helps!`;
    const r = extractReply(raw);
    expect(r.from).toBe('bare');
    expect(JSON.parse(r.label)).toEqual(Q);
    expect(r.rationale).toContain('We need the date field');
    expect(r.rationale).not.toContain('Hope it helps');
    expect(r.rationale).not.toContain('{');
  });
  it('prefers the full query over a snippet quoted in the rationale', () => {
    const raw = `**Rationale:** start from {"range": {"date": {"gte": "now-10y/y"}}} then add a histogram.\n**Query:**\n${QJ}`;
    const r = extractReply(raw);
    expect(JSON.parse(r.label)).toEqual(Q);
    expect(r.rationale).toContain('start from {"range"');
  });
  it('takes an untagged fence and strips markdown headings', () => {
    const raw = `### Reasoning\nUse region.keyword for the exact match.\n\n### Query\n\`\`\`\n{"query": {"term": {"region.keyword": "Europe"}}}\n\`\`\`\n`;
    const r = extractReply(raw);
    expect(r.from).toBe('fence');
    expect(JSON.parse(r.label)).toEqual({ query: { term: { 'region.keyword': 'Europe' } } });
    expect(r.rationale).toBe('Use region.keyword for the exact match.');
  });
  it('returns malformed JSON as written, not repaired', () => {
    const raw = "Rationale: filter Europe.\nQuery: {'query': {'term': {'region': 'Europe'}},}";
    const r = extractReply(raw);
    expect(r.parses).toBe(false);
    expect(r.label).toBe("{'query': {'term': {'region': 'Europe'}},}");
    expect(r.rationale).toBe('filter Europe.');
  });
  it('takes no label from a truncated reply (cut by max_tokens) and says why', () => {
    const raw = 'Rationale: count per region.\n```json\n{"size": 0, "aggs": {"by_region": {"terms": {"field": "reg';
    const r = extractReply(raw);
    expect(r).toMatchObject({ label: '', parses: false, from: 'none', rationale: 'count per region.' });
    expect(r.problem).toMatch(/cut off inside a JSON object/);
  });
  it('handles a query first and the rationale after it', () => {
    const raw = `Query: ${QJ}\nRationale: yearly buckets over ten years.`;
    const r = extractReply(raw);
    expect(JSON.parse(r.label)).toEqual(Q);
    expect(r.rationale).toBe('yearly buckets over ten years.');
  });
  it('returns an empty label when there is no JSON at all', () => {
    const r = extractReply('I cannot answer that.');
    expect(r).toMatchObject({ label: '', parses: false, from: 'none' });
  });
  it('ignores drafts inside the <think> block of a reasoning model', () => {
    const draft = JSON.stringify({ query: { match_all: {} }, aggs: { a: { terms: { field: 'region' } } }, size: 0, sort: [{ date: 'desc' }] });
    const raw = `<think>\nMaybe:\n\`\`\`json\n${draft}\n\`\`\`\nNo, simpler.\n</think>\nRationale: exact region match.\n\`\`\`json\n{"query": {"term": {"region": "Europe"}}}\n\`\`\``;
    const r = extractReply(raw);
    expect(JSON.parse(r.label)).toEqual({ query: { term: { region: 'Europe' } } });
    expect(r.rationale).toBe('exact region match.');
  });
  it('treats CRLF like LF', () => {
    const r = extractReply(`Rationale:\r\nUse the amount field.\r\n\`\`\`json\r\n{"query": {"range": {"amount": {"gt": 10}}}}\r\n\`\`\``);
    expect(r.parses).toBe(true);
    expect(r.rationale).toBe('Use the amount field.');
  });
});

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

describe('extractReply on degenerate and cut-off replies', () => {
  // CPU time of this process, not wall time: the shared test machine's load must not decide the verdict.
  const timed = (raw: string) => {
    const before = process.cpuUsage();
    const r = extractReply(raw);
    const used = process.cpuUsage(before);
    return { r, ms: (used.user + used.system) / 1000 };
  };

  it('is linear in the reply: backticks, spaces, braces, think tags and headings by the ten thousand', () => {
    const inputs = [
      '`'.repeat(10_000),
      '`'.repeat(10_000) + '\n',
      '```\n'.repeat(10_000),
      'Query' + ' '.repeat(30_000),
      'Query' + ' '.repeat(30_000) + 'x',
      '**Rationale' + ' '.repeat(30_000) + '**x',
      '{'.repeat(30_000),
      '{"a":'.repeat(30_000),
      '}'.repeat(30_000),
      '"'.repeat(30_000),
      '<think>'.repeat(10_000),
      '<think'.repeat(10_000),
      '</think>'.repeat(10_000),
      'final query:' + ' '.repeat(30_000) + 'x',
      '{}'.repeat(30_000),
      'Query:\n'.repeat(10_000),
    ];
    for (const raw of inputs) {
      const { r, ms } = timed(raw);
      expect(typeof r.label).toBe('string');
      expect(ms, `${JSON.stringify(raw.slice(0, 12))}… took ${ms.toFixed(0)} ms of CPU`).toBeLessThan(1000);
      const shown = `${JSON.stringify(raw.slice(0, 14)).slice(1, -1)}… (${raw.length.toLocaleString('en-US')} characters)`;
      record.add({ area: 'teacher reply extractor', input: `degenerate reply ${shown}`, cases: 1, outcome: `${ms.toFixed(0)} ms of CPU; ${r.label ? `label ${JSON.stringify(r.label.slice(0, 30))}` : `no label${r.problem ? ` (${r.problem.replace(/ \(.*$/, '')})` : ''}`}` });
    }
  });

  it('JSON nested 5,000 deep gives a failed extraction with a reason, no RangeError', () => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const r = extractReply(`Rationale: deep.\nQuery: ${deep}`);
    expect(r).toMatchObject({ label: '', parses: false, from: 'none' });
    expect(r.problem).toMatch(/nested 5000 levels deep/);
    record.add({ area: 'teacher reply extractor', input: 'a query nested 5,000 deep', cases: 1, outcome: `no RangeError; no label: "${r.problem}"` });
  });

  it('a truncated reply never yields an inner object, a snippet from the rationale or a <think> draft', () => {
    const full = '{"query": {"bool": {"must": [{"match_all": {}}], "filter": [{"term": {"region": "Europe"}}]}}, "size": 0}';
    const replies = [
      // cut inside the query: inner objects like {"match_all": {}} are complete but are fragments
      `Rationale: all orders in Europe.\nQuery: ${full.slice(0, 70)}`,
      `Rationale: all orders in Europe.\n\`\`\`json\n${full.slice(0, 90)}`,
      // a snippet quoted in the rationale, then the real query cut off
      `Rationale: start from {"query":{"match_all":{}}} and filter.\nQuery: ${full.slice(0, 50)}`,
      // cut while thinking, after drafting a complete query
      `<think>\nDraft: \`\`\`json\n${full}\n\`\`\`\nHmm, but the region`,
    ];
    for (const raw of replies) {
      const r = extractReply(raw);
      expect(r.label, raw).toBe('');
      expect(r.parses).toBe(false);
      expect(r.problem).toMatch(/cut off/);
    }
    record.add({ area: 'teacher reply extractor', input: 'truncated replies whose complete inner objects, rationale snippet or <think> draft would validate', cases: replies.length, outcome: `${replies.length} of ${replies.length} gave no label, each with the reason (${[...new Set(replies.map((raw) => extractReply(raw).problem?.replace(/ \(.*$/, '').replace(/;.*$/, '')))].join('; ')})` });
  });

  it('two different queries with nothing to choose between them are ambiguous; a heading or a json fence decides', () => {
    const a = '{"query": {"term": {"region": "Europe"}}}';
    const b = '{"query": {"term": {"region": "Asia"}}}';
    const r = extractReply(`Either\n\`\`\`\n${a}\n\`\`\`\nor\n\`\`\`\n${b}\n\`\`\``);
    expect(r).toMatchObject({ label: '', from: 'none' });
    expect(r.problem).toMatch(/2 different JSON objects/);
    expect(JSON.parse(extractReply(`Rationale: not ${a}.\nQuery: ${b}\nOr maybe ${a}.`).label)).toEqual(JSON.parse(b));
    expect(JSON.parse(extractReply(`Maybe ${a}.\n\`\`\`json\n${b}\n\`\`\``).label)).toEqual(JSON.parse(b));
    expect(JSON.parse(extractReply(`Final:\n${a}\nand again:\n${a}`).label)).toEqual(JSON.parse(a)); // the same twice
    // A quote inside a sentence is not a candidate, nor one inside the rationale with no query given.
    expect(JSON.parse(extractReply(`${b}\nI would not use ${a} here.`).label)).toEqual(JSON.parse(b));
    expect(extractReply(`Rationale: I would start from ${a}`)).toMatchObject({ label: '', from: 'none' });
  });

  it('drops reasoning before a closing </think> whose opening tag the server stripped', () => {
    const r = extractReply('I think {"query": {"match_all": {}}} could work...</think>\nRationale: exact match.\n{"query": {"term": {"region": "Europe"}}}');
    expect(JSON.parse(r.label)).toEqual({ query: { term: { region: 'Europe' } } });
    expect(r.rationale).toBe('exact match.');
  });
});
