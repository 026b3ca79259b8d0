// Retries with exponential backoff and jitter for 429, 5xx, timeouts and network errors. A server's Retry-After wins
// over our own schedule (it knows when it will have capacity); cancelling stops the wait at once.
import { TeacherRequestError } from './client';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** [0,1) source, injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0 = first retry): the capped exponential base*2^attempt, scaled by a
 * random factor in [0.5, 1) so many clients that failed together do not come back together ("equal jitter").
 * Retry-After, when given, is used as is: waiting less than the server asked only earns another 429, and the
 * user can always cancel a long wait.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.max(0, retryAfterMs);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const r = (policy.random ?? Math.random)();
  return Math.round(cap * (0.5 + 0.5 * r));
}

/** Resolves after `ms`, or rejects with a non-retryable "cancelled" error when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TeacherRequestError('cancelled', 0, false));
    const onAbort = () => {
      clearTimeout(t);
      reject(new TeacherRequestError('cancelled', 0, false));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryEvent {
  /** 1-based retry number. */
  retry: number;
  delayMs: number;
  error: TeacherRequestError;
}

/** Run `attempt` until it succeeds, fails with a non-retryable error, or retries run out (the last error is thrown). */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (e: RetryEvent) => void,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      const err = e instanceof TeacherRequestError ? e : new TeacherRequestError(e instanceof Error ? e.message : String(e), 0, false);
      if (!err.retryable || i >= policy.maxRetries || signal?.aborted) throw err;
      const delayMs = backoffDelay(i, policy, err.retryAfterMs);
      onRetry?.({ retry: i + 1, delayMs, error: err });
      await sleep(delayMs, signal);
    }
  }
}
