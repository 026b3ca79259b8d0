// Teacher settings: which OpenAI-compatible endpoint answers the questions, and how hard to push it.
// The API key lives in this object only while the page or process runs; nothing in src/data/teacher writes it
// anywhere (rows, logs and errors are redacted), and storing it is the UI's opt-in decision.

export interface TeacherConfig {
  /** e.g. "http://127.0.0.1:11434/v1" (Ollama), "https://api.openai.com/v1"; see chatCompletionsUrl. */
  baseUrl: string;
  model: string;
  /** Sent as "Authorization: Bearer <key>" when non-empty. */
  apiKey?: string;
  temperature: number;
  /** Upper bound on reply tokens; a rationale plus a query rarely needs more than 512. */
  maxTokens: number;
  /** Samples per question for self-consistency (1 = plain greedy/temperature sampling). */
  samples: number;
  /** Requests in flight at once. Local servers usually want 1-4, hosted APIs more. */
  concurrency: number;
  /** Per-request timeout; a slow reply is aborted and retried. */
  timeoutMs: number;
  /** Retries after the first attempt on 429, 5xx, timeouts and network errors. */
  maxRetries: number;
  /** First backoff delay; doubles per retry, with jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_TEACHER_CONFIG: TeacherConfig = {
  baseUrl: 'http://127.0.0.1:11434/v1',
  model: 'llama3.1:8b',
  apiKey: '',
  temperature: 0.2,
  maxTokens: 768,
  samples: 1,
  concurrency: 2,
  timeoutMs: 120_000,
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

/** Check ranges up front so a typo fails before the first request, naming the field. */
export function checkTeacherConfig(c: TeacherConfig): void {
  const bad = (field: string, why: string) => {
    throw new Error(`teacher config: ${field} ${why}`);
  };
  if (!/^https?:\/\//i.test(c.baseUrl.trim())) bad('baseUrl', `must start with http:// or https:// (got "${c.baseUrl}")`);
  if (!c.model.trim()) bad('model', 'is empty');
  if (!(c.temperature >= 0 && c.temperature <= 2)) bad('temperature', `must be in [0, 2] (got ${c.temperature})`);
  if (!(Number.isInteger(c.maxTokens) && c.maxTokens >= 1)) bad('maxTokens', `must be a positive integer (got ${c.maxTokens})`);
  if (!(Number.isInteger(c.samples) && c.samples >= 1 && c.samples <= 32)) bad('samples', `must be an integer in [1, 32] (got ${c.samples})`);
  if (!(Number.isInteger(c.concurrency) && c.concurrency >= 1 && c.concurrency <= 64)) bad('concurrency', `must be an integer in [1, 64] (got ${c.concurrency})`);
  if (!(c.timeoutMs > 0)) bad('timeoutMs', `must be > 0 (got ${c.timeoutMs})`);
  if (!(Number.isInteger(c.maxRetries) && c.maxRetries >= 0)) bad('maxRetries', `must be a non-negative integer (got ${c.maxRetries})`);
  if (!(c.baseDelayMs >= 0 && c.maxDelayMs >= c.baseDelayMs)) bad('baseDelayMs/maxDelayMs', `need 0 <= base <= max (got ${c.baseDelayMs}, ${c.maxDelayMs})`);
}
