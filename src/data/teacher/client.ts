// One chat-completions request against any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio).
// No retries here (see retry.ts); this module turns one HTTP exchange into replies + usage or a typed error.
import type { TeacherConfig } from './config';
import { redactSecret } from './redact';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  /** One text per returned choice (servers that ignore `n` return one). */
  replies: string[];
  /** Absent when the server does not report usage. */
  usage?: TokenUsage;
}

/** A failed exchange, with what the retry policy needs to decide. Messages never contain the API key. */
export class TeacherRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 for network errors and timeouts. */
    readonly status: number,
    readonly retryable: boolean,
    /** From a Retry-After header, in milliseconds, when the server sent one. */
    readonly retryAfterMs?: number,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'TeacherRequestError';
  }
}

/**
 * "http://h:8000/v1" and "http://h:8000/v1/" -> "http://h:8000/v1/chat/completions". A full ".../chat/completions"
 * URL is used as is. A bare origin ("http://h:11434") gets "/v1", where every server listed above serves the API.
 */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  if (/\/chat\/completions$/.test(base)) return base;
  let path = '';
  try {
    path = new URL(base).pathname;
  } catch {
    throw new Error(`teacher config: baseUrl "${base}" is not a URL`);
  }
  return path === '' || path === '/' ? `${base}/v1/chat/completions` : `${base}/chat/completions`;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3). Returns ms from `now`, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

export interface ChatRequest {
  messages: ChatMessage[];
  /** Choices to ask for; only sent when > 1 (some servers reject the field). */
  n: number;
  /** The caller's cancel signal; cancelling aborts the request without retrying. */
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

export async function chatCompletion(config: TeacherConfig, req: ChatRequest): Promise<ChatResult> {
  const url = chatCompletionsUrl(config.baseUrl);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const key = config.apiKey?.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  const body: Record<string, unknown> = {
    model: config.model,
    messages: req.messages,
    temperature: config.temperature,
    max_tokens: config.maxTokens,
    stream: false,
  };
  if (req.n > 1) body.n = req.n;

  // One controller per request: aborted by our timeout or by the caller's cancel, and we can tell which.
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, config.timeoutMs);
  const onCancel = () => ctrl.abort();
  req.signal?.addEventListener('abort', onCancel, { once: true });
  if (req.signal?.aborted) ctrl.abort();
  const doFetch = req.fetchImpl ?? fetch;
  try {
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctrl.signal });
      text = await res.text();
    } catch (e) {
      if (req.signal?.aborted) throw new TeacherRequestError('cancelled', 0, false);
      if (timedOut) throw new TeacherRequestError(`no reply within ${config.timeoutMs} ms from ${url}`, 0, true, undefined, true);
      const why = e instanceof Error ? e.message : String(e);
      throw new TeacherRequestError(redactSecret(`could not reach ${url}: ${why}`, key), 0, true);
    }
    if (!res.ok) {
      // Redact first, then cut: a key straddling the cut would otherwise leak all but its tail.
      const detail = excerpt(redactSecret(text, key), 300);
      const hint = res.status === 401 || res.status === 403 ? ' (check the API key)' : res.status === 404 ? ' (check the base URL and model name)' : '';
      throw new TeacherRequestError(
        `HTTP ${res.status} ${res.statusText} from ${url}${hint}: ${detail}`,
        res.status,
        RETRYABLE_STATUS.has(res.status),
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    // The malformed body is quoted in the message and may echo the Authorization header: redacted before it is cut.
    return parseChatResponse(redactSecret(text, key), url);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCancel);
  }
}

/** At most `max` characters of a body for a message (callers redact before cutting). */
function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

interface WireChoice {
  message?: { content?: unknown };
  text?: unknown;
}

/** The body of a 200 reply -> replies + usage. Malformed bodies are retryable (proxies sometimes truncate). */
export function parseChatResponse(text: string, url = 'server'): ChatResult {
  let json: { choices?: WireChoice[]; usage?: Record<string, unknown> };
  try {
    json = JSON.parse(text);
  } catch {
    throw new TeacherRequestError(`reply from ${url} is not JSON: ${excerpt(text, 200)}`, 200, true);
  }
  if (!json || !Array.isArray(json.choices) || json.choices.length === 0) {
    throw new TeacherRequestError(`reply from ${url} has no choices: ${excerpt(text, 200)}`, 200, true);
  }
  const replies = json.choices.map((c) => {
    const content = c?.message?.content ?? c?.text;
    return typeof content === 'string' ? content : '';
  });
  const u = json.usage;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const usage = u && typeof u === 'object'
    ? {
        promptTokens: num(u.prompt_tokens),
        completionTokens: num(u.completion_tokens),
        totalTokens: num(u.total_tokens) || num(u.prompt_tokens) + num(u.completion_tokens),
      }
    : undefined;
  return { replies, usage };
}
