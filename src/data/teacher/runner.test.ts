import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetRow, IndexSchema } from '../records';
import { DEFAULT_TEACHER_CONFIG, type TeacherConfig } from './config';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt';
import { runTeacher, UNREACHABLE_LIMIT, type TeacherProgress, type TeacherRunOptions } from './runner';
import { startFakeServer, type FakeServer, type ScriptedReply, type ScriptedRequest } from './scripted-server.testing';

const SCHEMA: IndexSchema = {
  index: 'sales-reports',
  description: 'synthetic sales reports',
  fields: [
    { name: 'date', type: 'date', description: 'sale date' },
    { name: 'region', type: 'text', description: 'sales region', keywordSubfield: true },
    { name: 'amount', type: 'double', description: 'sale amount in EUR' },
  ],
};

const GOOD = (field: string) => `Rationale: filter on ${field}.\nQuery: {"query": {"exists": {"field": "${field}"}}}`;
const KEY = 'sk-test-5f3c9a7d1e';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function config(over: Partial<TeacherConfig> = {}): TeacherConfig {
  return { ...DEFAULT_TEACHER_CONFIG, baseUrl: server!.baseUrl, model: 'test-teacher', apiKey: KEY, concurrency: 2, timeoutMs: 2_000, maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50, ...over };
}

function options(questions: string[], over: Partial<TeacherRunOptions> = {}): TeacherRunOptions {
  return { config: config(), schema: SCHEMA, template: DEFAULT_PROMPT_TEMPLATE, datasetId: 'ds1', questions, ...over };
}

async function serve(script: (r: ScriptedRequest) => ScriptedReply) {
  server = await startFakeServer(script);
  return server;
}

describe('runTeacher against a scripted OpenAI-compatible server', () => {
  it('turns good, fenced, malformed and invalid replies into rows and keeps raw replies', async () => {
    const replies: Record<string, string> = {
      good: GOOD('date'),
      fenced: 'Rationale:\n1. region is text, use region.keyword.\n```json\n{"query": {"term": {"region.keyword": "Europe"}}}\n```\nLet me know if you need more.',
      malformed: 'Rationale: amounts over 100.\nQuery: {"query": {"range": {"amount": {"gt": 100}}},}',
      invalid: 'Rationale: guess.\n```json\n{"query": {"frobnicate": {"amount": 1}}}\n```',
    };
    const s = await serve((r) => ({ replies: [replies[r.question]] }));
    const res = await runTeacher(options(Object.keys(replies)));
    expect(res.failures).toEqual([]);
    const by = Object.fromEntries(res.rows.map((r) => [r.question, r]));
    expect(by.good).toMatchObject({ source: 'teacher', status: 'pending', teacherModel: 'test-teacher', datasetId: 'ds1', rationale: 'filter on date.', rawReply: replies.good });
    expect(by.good.validity.valid).toBe(true);
    expect(JSON.parse(by.fenced.label)).toEqual({ query: { term: { 'region.keyword': 'Europe' } } });
    expect(by.fenced.rationale).toBe('1. region is text, use region.keyword.');
    expect(by.malformed.validity).toMatchObject({ parses: false, valid: false });
    expect(by.malformed.label).toBe('{"query": {"range": {"amount": {"gt": 100}}},}');
    expect(by.invalid.validity).toMatchObject({ parses: true, valid: false });
    expect(by.invalid.validity.problems[0].path).toBe('$.query.frobnicate');
    // The prompt carried the schema and the question, and the request the settings.
    const first = s.requests[0];
    expect(first.body).toMatchObject({ model: 'test-teacher', temperature: DEFAULT_TEACHER_CONFIG.temperature, max_tokens: DEFAULT_TEACHER_CONFIG.maxTokens });
    const prompt = (first.body.messages as { content: string }[])[0].content;
    expect(prompt).toContain('- region (text, has .keyword): sales region');
    expect(first.authorization).toBe(`Bearer ${KEY}`);
    expect(first.n).toBeUndefined();
  });

  it('a truncated or ambiguous reply becomes an invalid row that says why and keeps the raw reply, never a guessed label', async () => {
    const replies: Record<string, string> = {
      cut: 'Rationale: start from {"query": {"match_all": {}}} and filter.\nQuery: {"query": {"bool": {"filter": [{"term": {"region": "Eu',
      two: 'Either\n```\n{"query": {"term": {"region": "Europe"}}}\n```\nor\n```\n{"query": {"term": {"region": "Asia"}}}\n```',
    };
    await serve((r) => ({ replies: [replies[r.question]] }));
    const res = await runTeacher(options(Object.keys(replies)));
    expect(res.failures).toEqual([]);
    for (const row of res.rows) {
      expect(row.label).toBe('');
      expect(row.rawReply).toBe(replies[row.question]);
      expect(row.validity.valid).toBe(false);
    }
    const by = Object.fromEntries(res.rows.map((r) => [r.question, r]));
    expect(by.cut.validity.problems[0].message).toMatch(/cut off inside a JSON object/);
    expect(by.two.validity.problems[0].message).toMatch(/2 different JSON objects/);
  });

  it('retries 429 after the Retry-After delay and 500 with backoff, and sums usage over successful replies', async () => {
    const s = await serve((r) => {
      if (r.question === 'limited' && r.attempt === 0) return { status: 429, headers: { 'Retry-After': '1' }, body: '{"error":"slow down"}' };
      if (r.question === 'broken' && r.attempt < 2) return { status: 500, body: 'boom' };
      return { replies: [GOOD('amount')], usage: { prompt_tokens: 50, completion_tokens: 7, total_tokens: 57 } };
    });
    const t0 = Date.now();
    let limitedDoneAt = 0;
    const logs: string[] = [];
    const res = await runTeacher(
      options(['limited', 'broken', 'fine'], {
        onRow: (row) => {
          if (row.question === 'limited') limitedDoneAt = Date.now();
        },
        onLog: (l) => logs.push(l),
      }),
    );
    expect(res.rows).toHaveLength(3);
    expect(s.requests.filter((r) => r.question === 'limited')).toHaveLength(2);
    expect(s.requests.filter((r) => r.question === 'broken')).toHaveLength(3);
    // Our own backoff here is <= 50 ms, so a ~1 s wait can only come from Retry-After.
    expect(limitedDoneAt - t0).toBeGreaterThanOrEqual(950);
    expect(res.progress.retries).toBe(3);
    expect(logs.some((l) => l.includes('(Retry-After)') && l.includes('HTTP 429'))).toBe(true);
    expect(res.progress.usage).toEqual({ promptTokens: 150, completionTokens: 21, totalTokens: 171 });
  });

  it('aborts a slow reply after the timeout and retries it', async () => {
    const s = await serve((r) => (r.attempt === 0 ? { replies: [GOOD('date')], delayMs: 1_500 } : { replies: [GOOD('date')] }));
    const res = await runTeacher(options(['slow'], { config: config({ timeoutMs: 200 }) }));
    expect(res.rows).toHaveLength(1);
    expect(s.requests).toHaveLength(2);
    expect(res.progress.retries).toBe(1);
  });

  it('gives up after maxRetries, records the failure without a row, and asks it again on resume', async () => {
    let healthy = false;
    const s = await serve(() => (healthy ? { replies: [GOOD('date')] } : { status: 503, body: 'down' }));
    const res = await runTeacher(options(['q1'], { config: config({ maxRetries: 2 }) }));
    expect(res.rows).toEqual([]);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0].error).toContain('HTTP 503');
    expect(s.requests).toHaveLength(3);
    healthy = true;
    const again = await runTeacher(options(['q1'], { answered: res.rows.map((r) => r.question) }));
    expect(again.rows).toHaveLength(1);
  });

  it('cancels and resumes without asking any answered question twice', async () => {
    const questions = Array.from({ length: 6 }, (_, i) => `question ${i}`);
    const s = await serve(() => ({ replies: [GOOD('date')], delayMs: 20 }));
    const ctrl = new AbortController();
    const stored: DatasetRow[] = [];
    const progress: TeacherProgress[] = [];
    const first = await runTeacher(
      options(questions, {
        config: config({ concurrency: 1 }),
        signal: ctrl.signal,
        onProgress: (p) => progress.push(p),
        onRow: (row) => {
          stored.push(row);
          if (stored.length === 2) ctrl.abort();
        },
      }),
    );
    expect(first.cancelled).toBe(true);
    expect(first.rows).toHaveLength(2);
    expect(s.requests).toHaveLength(2);
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ total: 6, done: 2, answered: 2, inFlight: 0 });
    expect(last.etaSeconds).toBeGreaterThan(0);
    expect(last.perMinute).toBeGreaterThan(0);

    // Resume: the stored rows say what is answered; a repeated question in the new list is asked once.
    const second = await runTeacher(options([...questions, 'Question 5 '], { answered: stored.map((r) => r.question), onRow: (r) => void stored.push(r) }));
    expect(second.progress).toMatchObject({ total: 4, skipped: 3, answered: 4, etaSeconds: 0 });
    const counts = new Map<string, number>();
    for (const r of s.requests) counts.set(r.question, (counts.get(r.question) ?? 0) + 1);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(counts.size).toBe(6);
    expect(new Set(stored.map((r) => r.question)).size).toBe(6);
  });

  it('cancelling mid-request stops at once and leaves that question for resume', async () => {
    await serve(() => ({ replies: [GOOD('date')], delayMs: 1_000 }));
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 100);
    const t0 = Date.now();
    const res = await runTeacher(options(['a', 'b'], { signal: ctrl.signal }));
    expect(Date.now() - t0).toBeLessThan(800);
    expect(res).toMatchObject({ cancelled: true, rows: [], failures: [] });
  });

  it('a failing store stops every worker and ends the run with a fatal message instead of rejecting', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    await serve((r) => ({ replies: [GOOD('date')], delayMs: r.question === 'question 0' ? 5 : 60 }));
    // Requests are counted where they are sent: one already on the wire may reach a loaded server after the run.
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const res = await runTeacher(
      options(questions, {
        fetchImpl: counting,
        onRow: () => {
          throw new Error('QuotaExceededError: disk full');
        },
      }),
    );
    expect(res.fatal).toContain('could not store the answer');
    expect(res.fatal).toContain('disk full');
    expect(res.rows).toEqual([]);
    expect(res.failures.map((f) => f.question)).toEqual(['question 0']);
    // The other worker's request was aborted and nobody asked anything more, now or later.
    expect(sent).toBe(2);
    await new Promise((ok) => setTimeout(ok, 150));
    expect(sent).toBe(2);
  });

  it('self-consistency keeps the most frequent valid label, comparing canonical JSON', async () => {
    const a1 = 'Rationale: by region.\n{"query": {"term": {"region.keyword": "Europe"}}, "size": 5}';
    const a2 = 'Rationale: same, other key order.\n{"size": 5, "query": {"term": {"region.keyword": "Europe"}}}';
    const b = 'Rationale: by match.\n{"query": {"match": {"region": "Europe"}}}';
    const bad = 'Rationale: nonsense.\n{"query": {"nope": {}}}';
    const s = await serve((r) => ({ replies: r.n === 4 ? [b, bad, a1, a2] : [] }));
    const res = await runTeacher(options(['europe'], { config: config({ samples: 4 }) }));
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0].n).toBe(4);
    expect(res.rows[0].rationale).toBe('by region.');
    expect(res.rows[0].rawReply).toBe(a1);
  });

  it('falls back to n single requests when the server ignores n', async () => {
    const votes = ['{"query": {"match_all": {}}}', '{"query": {"exists": {"field": "date"}}}', '{"query": {"exists": {"field": "date"}}}'];
    let i = 0;
    const s = await serve(() => ({ replies: [votes[i++ % 3]] }));
    const res = await runTeacher(options(['any'], { config: config({ samples: 3, concurrency: 1 }) }));
    expect(s.requests).toHaveLength(3);
    expect(JSON.parse(res.rows[0].label)).toEqual({ query: { exists: { field: 'date' } } });
  });

  it('falls back to single requests when the server rejects n with 400, learning it once per run', async () => {
    const s = await serve((r) => (r.n ? { status: 400, body: '{"error": "n is not supported"}' } : { replies: [GOOD('date')] }));
    const res = await runTeacher(options(['q1', 'q2'], { config: config({ samples: 2, concurrency: 1 }) }));
    expect(res.rows).toHaveLength(2);
    expect(res.failures).toEqual([]);
    expect(s.requests.map((r) => r.n ?? 1)).toEqual([2, 1, 1, 1, 1]);
  });

  it('stops the whole run on 401 instead of failing every question', async () => {
    const s = await serve(() => ({ status: 401, body: '{"error":"invalid api key"}' }));
    const res = await runTeacher(options(['a', 'b', 'c', 'd'], { config: config({ concurrency: 1 }) }));
    expect(res.fatal).toContain('HTTP 401');
    expect(res.fatal).toContain('check the API key');
    expect(s.requests).toHaveLength(1);
  });

  it('stops after a few unreachable requests when none ever succeeded, mentioning CORS', async () => {
    await serve(() => ({ replies: [GOOD('date')] }));
    let calls = 0;
    // What a browser reports for a CORS block or a refused connection: a TypeError, no status.
    const blocked: typeof fetch = async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    };
    const res = await runTeacher(options(['a', 'b', 'c', 'd'], { config: config({ concurrency: 1, maxRetries: 5 }), fetchImpl: blocked }));
    expect(calls).toBe(UNREACHABLE_LIMIT);
    expect(res.fatal).toContain('Failed to fetch');
    expect(res.fatal).toContain('CORS');
    expect(res.failures.map((f) => f.question)).toEqual(['a']);
  });

  it('keeps retrying network errors once the server has answered (they are transient then)', async () => {
    await serve(() => ({ replies: [GOOD('date')] }));
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (calls++ === 0) return fetch(input, init);
      throw new TypeError('fetch failed');
    };
    const res = await runTeacher(options(['a', 'b', 'c'], { config: config({ concurrency: 1, maxRetries: 2 }), fetchImpl: flaky }));
    expect(res.fatal).toBeUndefined();
    expect(res.rows.map((r) => r.question)).toEqual(['a']);
    expect(res.failures.map((f) => f.question)).toEqual(['b', 'c']);
    expect(calls).toBe(1 + 3 + 3);
  });

  it('never lets the API key reach rows, logs, failures or progress', async () => {
    // A hostile or debugging server echoes the Authorization header back in errors and in the reply text.
    await serve((r) => {
      if (r.question === 'echo error') return { status: 400, body: `bad request, you sent ${r.authorization}` };
      if (r.question === 'flaky' && r.attempt === 0) return { status: 500, body: `oops ${r.authorization}` };
      return { replies: [`Rationale: key is ${r.authorization}.\n{"query": {"term": {"region.keyword": "${KEY}"}}}`] };
    });
    const logs: string[] = [];
    const progress: TeacherProgress[] = [];
    const res = await runTeacher(options(['flaky', 'echo error', 'plain'], { config: config({ concurrency: 1 }), onLog: (l) => logs.push(l), onProgress: (p) => progress.push(p) }));
    expect(res.rows.map((r) => r.question)).toEqual(['flaky', 'plain']);
    expect(res.failures.map((f) => f.question)).toEqual(['echo error']);
    expect(res.fatal).toBeUndefined();
    const everything = JSON.stringify({ res, logs, progress });
    expect(everything).not.toContain(KEY);
    expect(everything).toContain('[redacted]');
  });

  it('rejects bad settings before sending anything, naming the field', async () => {
    await serve(() => ({ replies: [GOOD('date')] }));
    await expect(runTeacher(options(['q'], { config: config({ concurrency: 0 }) }))).rejects.toThrow(/concurrency/);
    await expect(runTeacher(options(['q'], { config: config({ baseUrl: 'localhost:1234' }) }))).rejects.toThrow(/baseUrl/);
    expect(server!.requests).toHaveLength(0);
  });
});
