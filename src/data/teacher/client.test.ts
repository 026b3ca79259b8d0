import { afterAll, describe, expect, it } from 'vitest';
import { reliabilityRecord } from '../../testing/reliability';
import { chatCompletion, chatCompletionsUrl, parseChatResponse, parseRetryAfter, TeacherRequestError } from './client';
import { DEFAULT_TEACHER_CONFIG } from './config';
import { redactSecret } from './redact';
import { backoffDelay } from './retry';

describe('chatCompletionsUrl', () => {
  it('appends /chat/completions to a base ending in /v1, with or without a slash', () => {
    expect(chatCompletionsUrl('http://127.0.0.1:8000/v1')).toBe('http://127.0.0.1:8000/v1/chat/completions');
    expect(chatCompletionsUrl(' https://api.openai.com/v1/ ')).toBe('https://api.openai.com/v1/chat/completions');
  });
  it('adds /v1 to a bare origin and keeps a full endpoint as is', () => {
    expect(chatCompletionsUrl('http://localhost:11434')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl('http://h/openai/v1/chat/completions')).toBe('http://h/openai/v1/chat/completions');
    expect(chatCompletionsUrl('http://h/proxy/api')).toBe('http://h/proxy/api/chat/completions');
  });
  it('names baseUrl when it is not a URL', () => {
    expect(() => chatCompletionsUrl('not a url')).toThrow(/baseUrl/);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });
  it('ignores missing or garbage values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt within [cap/2, cap] and stops at the cap', () => {
    expect(backoffDelay(0, { ...policy, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...policy, random: () => 0.999999 })).toBe(100);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(400);
    expect(backoffDelay(10, { ...policy, random: () => 0.999999 })).toBe(1000);
  });
  it('uses Retry-After as given', () => {
    expect(backoffDelay(0, policy, 2500)).toBe(2500);
  });
});

describe('parseChatResponse', () => {
  it('reads every choice and the usage', () => {
    const r = parseChatResponse(JSON.stringify({ choices: [{ message: { content: 'a' } }, { message: { content: 'b' } }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }));
    expect(r).toEqual({ replies: ['a', 'b'], usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } });
  });
  it('has no usage when the server reports none, and accepts legacy text choices', () => {
    expect(parseChatResponse(JSON.stringify({ choices: [{ text: 'x' }] }))).toEqual({ replies: ['x'], usage: undefined });
  });
  it('treats a non-JSON or empty reply as a retryable error', () => {
    for (const body of ['<html>gateway</html>', '{"choices": []}']) {
      try {
        parseChatResponse(body);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TeacherRequestError);
        expect((e as TeacherRequestError).retryable).toBe(true);
      }
    }
  });
});

describe('chatCompletion', () => {
  it('keeps the API key out of errors about a malformed 200 reply that echoes it', async () => {
    const key = 'sk-echo-9b8a7c6d5e';
    for (const body of [`<html>proxy error, auth was Bearer ${key}</html>`, JSON.stringify({ error: `no choices for ${key}` })]) {
      const echo: typeof fetch = async () => new Response(body, { status: 200 });
      const config = { ...DEFAULT_TEACHER_CONFIG, baseUrl: 'http://teacher.test/v1', model: 'm', apiKey: key };
      const err = await chatCompletion(config, { messages: [{ role: 'user', content: 'q' }], n: 1, fetchImpl: echo }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TeacherRequestError);
      expect((err as TeacherRequestError).message).toContain('[redacted]');
      expect((err as TeacherRequestError).message).not.toContain(key);
      expect((err as TeacherRequestError).retryable).toBe(true);
    }
  });

  const record = reliabilityRecord(import.meta.url);
  afterAll(() => record.save());

  it('redacts before cutting: a key straddling the cut of an error body leaks no piece of itself', async () => {
    let cases = 0;
    const key = 'sk-proj-' + 'A1b2C3d4E5'.repeat(5); // 58 characters, like a real key
    const config = { ...DEFAULT_TEACHER_CONFIG, baseUrl: 'http://teacher.test/v1', model: 'm', apiKey: key };
    for (const [status, cut] of [[401, 300], [200, 200]] as const) {
      for (let at = cut - key.length + 1; at < cut; at += 7) {
        const body = 'x'.repeat(at) + key + ' tail';
        const echo: typeof fetch = async () => new Response(body, { status });
        const err = (await chatCompletion(config, { messages: [{ role: 'user', content: 'q' }], n: 1, fetchImpl: echo }).catch((e: unknown) => e)) as Error;
        expect(err).toBeInstanceOf(TeacherRequestError);
        for (let n = 6; n <= key.length; n++) expect(err.message).not.toContain(key.slice(0, n));
        cases++;
      }
    }
    record.add({ area: 'teacher API key', input: 'a 58-character key echoed in error bodies (HTTP 401 and malformed 200) at every offset across the 300/200-character cut', cases, outcome: `no message held 6 or more characters of the key (${cases} of ${cases})` });
  });

  it('redacts a key that someone else cut at the edge of a text', () => {
    const key = 'sk-abcdefghijklmnop';
    expect(redactSecret(`echo: ${key.slice(0, 12)}`, key)).toBe('echo: [redacted]');
    expect(redactSecret(`${key.slice(5)} was sent`, key)).toBe('[redacted] was sent');
    expect(redactSecret('short sk-ab', key)).toBe('short sk-ab'); // under 6 characters: not taken for the key
  });
});
