// The requests of one teacher run: one chat completion with retries, detection of a server that cannot be reached
// at all, token usage summed over the run, and self-consistency samples (asking for n choices, or one at a time
// from servers that ignore or reject `n`).
import { chatCompletion, TeacherRequestError, type ChatMessage, type TokenUsage } from './client';
import type { TeacherConfig } from './config';
import { withRetries, type RetryEvent } from './retry';

/**
 * Requests that could not reach the server at all (status 0, not a timeout), in a row, before any request of the
 * run succeeded: the server is down, the URL is wrong, or the browser blocks it (CORS). Retrying each question would
 * only repeat the same failure, so the run stops. Once one request has succeeded, network errors are transient.
 */
export const UNREACHABLE_LIMIT = 3;

/** Auth, payment, wrong URL or model: the same request would fail for every question, so the run stops. A 400
 * (e.g. one prompt too long) fails only its question. */
const FATAL_STATUS = new Set([401, 402, 403, 404, 405]);

export interface RequesterOptions {
  /** Aborted when the run stops (cancel or a fatal error). */
  signal: AbortSignal;
  fetchImpl?: typeof fetch;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
  /** Events worth a log line (already redacted by the caller's log). */
  log: (line: string) => void;
}

export interface TeacherRequester {
  /** `config.samples` replies to one prompt. */
  sample(messages: ChatMessage[]): Promise<string[]>;
  /** Errors that end the whole run (FATAL_STATUS, or a server never reached). */
  isFatal(error: TeacherRequestError): boolean;
  readonly usage: TokenUsage;
}

export function createRequester(config: TeacherConfig, options: RequesterOptions): TeacherRequester {
  const { signal } = options;
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const runStoppers = new WeakSet<TeacherRequestError>();
  let reachedServer = false;
  let unreachable = 0;
  // Servers that ignore or reject `n` get n single-sample requests instead; learned once per run.
  let serverHonoursN = config.samples > 1;

  const attempt = async (messages: ChatMessage[], n: number) => {
    try {
      const result = await chatCompletion(config, { messages, n, signal, fetchImpl: options.fetchImpl });
      reachedServer = true;
      return result;
    } catch (e) {
      if (!(e instanceof TeacherRequestError)) throw e;
      if (e.status !== 0 || e.timedOut || signal.aborted) {
        if (e.status !== 0) reachedServer = true;
        unreachable = 0;
        throw e;
      }
      if (reachedServer || ++unreachable < UNREACHABLE_LIMIT) throw e;
      const stopper = new TeacherRequestError(
        `${e.message}; ${UNREACHABLE_LIMIT} requests in a row could not reach the server and none has yet. Check that it is ` +
          'running and the base URL is right. From the browser, a server on another origin must also allow this page ' +
          'with CORS headers (Access-Control-Allow-Origin), or the browser blocks every request.',
        0,
        false,
      );
      runStoppers.add(stopper);
      throw stopper;
    }
  };

  const request = async (messages: ChatMessage[], n: number): Promise<string[]> => {
    const result = await withRetries(
      () => attempt(messages, n),
      { maxRetries: config.maxRetries, baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs, random: options.random },
      signal,
      options.onRetry,
    );
    if (result.usage) {
      usage.promptTokens += result.usage.promptTokens;
      usage.completionTokens += result.usage.completionTokens;
      usage.totalTokens += result.usage.totalTokens;
    }
    return result.replies;
  };

  return {
    usage,
    isFatal: (e) => FATAL_STATUS.has(e.status) || runStoppers.has(e),
    async sample(messages) {
      const want = config.samples;
      const replies: string[] = [];
      if (serverHonoursN) {
        try {
          replies.push(...(await request(messages, want)).slice(0, want));
          if (replies.length < want) {
            serverHonoursN = false;
            options.log(`the server returned ${replies.length} of ${want} samples (it ignores "n"); asking one at a time`);
          }
        } catch (e) {
          if (!(e instanceof TeacherRequestError) || e.status !== 400) throw e;
          serverHonoursN = false;
          options.log(`the server rejected "n": ${e.message}; asking one sample at a time`);
        }
      }
      while (replies.length < want) replies.push(...(await request(messages, 1)).slice(0, 1));
      return replies;
    },
  };
}
