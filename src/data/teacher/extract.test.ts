import { describe, expect, it } from 'vitest';
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
  it('reports an unbalanced object and still finds the objects after a stray brace', () => {
    const spans = scanJsonObjects('prose { not json, then {"q": 1}');
    expect(spans.some((s) => !s.balanced)).toBe(true);
    expect(spans.some((s) => s.text === '{"q": 1}')).toBe(true);
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
  it('keeps a truncated reply (cut by max_tokens) as the label text', () => {
    const raw = 'Rationale: count per region.\n```json\n{"size": 0, "aggs": {"by_region": {"terms": {"field": "reg';
    const r = extractReply(raw);
    expect(r.parses).toBe(false);
    expect(r.label.startsWith('{"size": 0')).toBe(true);
    expect(r.rationale).toBe('count per region.');
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
