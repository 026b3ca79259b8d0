// The teacher run: questions in, DatasetRows out. Concurrency-limited, retried, cancellable and resumable
// (questions that already have a teacher row are skipped), with progress (done/total, rate, ETA) and token usage.
// Host-agnostic: needs only fetch and AbortController, so it runs in the page, a worker or Node.
import { canonicalJson, validateQueryDsl } from '../query-dsl';
import type { DatasetRow, IndexSchema, RowValidity } from '../records';
import { normalizeQuestion } from '../split';
import { chatCompletion, TeacherRequestError, type TokenUsage } from './client';
import { checkTeacherConfig, type TeacherConfig } from './config';
import { extractReply } from './extract';
import { renderPrompt } from './prompt';
import { redactSecret } from './redact';
import { withRetries } from './retry';
import { chooseByVote, type Sample } from './vote';

export interface TeacherProgress {
  /** Questions this run has to ask (after skipping answered ones and duplicates). */
  total: number;
  /** Asked and finished: answered + failed. */
  done: number;
  answered: number;
  /** Gave up after retries, or a non-retryable error; these have no row and are asked again on resume. */
  failed: number;
  /** Skipped because a row already exists (resume) or the question repeats in the list. */
  skipped: number;
  inFlight: number;
  retries: number;
  elapsedMs: number;
  /** Finished questions per minute since the run started; 0 until the first one finishes. */
  perMinute: number;
  /** Seconds left at the current rate; null until it can be estimated. */
  etaSeconds: number | null;
  usage: TokenUsage;
}

export interface TeacherFailure {
  question: string;
  error: string;
}

export interface TeacherRunOptions {
  config: TeacherConfig;
  schema: IndexSchema;
  /** Prompt template with {{schema}} and {{question}}. */
  template: string;
  datasetId: string;
  questions: string[];
  /** Questions that already have an answer (e.g. the dataset's teacher rows): never asked again. */
  answered?: Iterable<string>;
  /** Label validation; defaults to validateQueryDsl against `schema`. */
  validate?: (label: string) => RowValidity;
  /** Canonical form for self-consistency votes; defaults to canonical JSON (sorted keys). */
  canonical?: (label: string) => string;
  signal?: AbortSignal;
  /** Called once per answered question, awaited (a slow store slows the run rather than piling up rows). */
  onRow?: (row: DatasetRow) => void | Promise<void>;
  onProgress?: (p: TeacherProgress) => void;
  /** Human-readable events (retries, failures). Already redacted. */
  onLog?: (line: string) => void;
  fetchImpl?: typeof fetch;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
}

export interface TeacherRunResult {
  rows: DatasetRow[];
  failures: TeacherFailure[];
  cancelled: boolean;
  /** Set when the run stopped early because every request would fail the same way (401, 403, 404...). */
  fatal?: string;
  progress: TeacherProgress;
}

/** Auth, payment, wrong URL or model: the same request would fail for every question, so the run stops. A 400
 * (e.g. one prompt too long) fails only its question. */
const FATAL_STATUS = new Set([401, 402, 403, 404, 405]);

/**
 * Requests that could not reach the server at all (status 0, not a timeout), in a row, before any request of the
 * run succeeded: the server is down, the URL is wrong, or the browser blocks it (CORS). Retrying each question would
 * only repeat the same failure, so the run stops. Once one request has succeeded, network errors are transient.
 */
export const UNREACHABLE_LIMIT = 3;

export async function runTeacher(opts: TeacherRunOptions): Promise<TeacherRunResult> {
  const { config } = opts;
  checkTeacherConfig(config);
  const now = opts.now ?? Date.now;
  const newId = opts.newId ?? (() => crypto.randomUUID());
  const secret = config.apiKey?.trim();
  const log = (line: string) => opts.onLog?.(redactSecret(line, secret));
  const validate = opts.validate ?? ((label: string) => validateQueryDsl(label, opts.schema));
  const canonical = opts.canonical ?? ((label: string) => canonicalJson(label) ?? label);

  // Resume: anything answered before, or repeated in this list, is not asked. Questions are compared with the
  // same normalisation as the split's duplicate groups.
  const seen = new Set<string>();
  for (const q of opts.answered ?? []) seen.add(normalizeQuestion(q));
  const queue: string[] = [];
  let skipped = 0;
  for (const q of opts.questions) {
    const k = normalizeQuestion(q);
    if (!k) continue;
    if (seen.has(k)) {
      skipped++;
      continue;
    }
    seen.add(k);
    queue.push(q.trim());
  }

  // Our own controller so a fatal error can stop the other workers too.
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  if (opts.signal?.aborted) stop.abort();

  const start = now();
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const rows: DatasetRow[] = [];
  const failures: TeacherFailure[] = [];
  let answered = 0;
  let inFlight = 0;
  let retries = 0;
  let fatal: string | undefined;
  // Servers that ignore or reject `n` get n single-sample requests instead; learned once per run.
  let serverHonoursN = config.samples > 1;

  const progress = (): TeacherProgress => {
    const elapsedMs = now() - start;
    const done = answered + failures.length;
    const perMs = elapsedMs > 0 ? done / elapsedMs : 0;
    const left = queue.length - done;
    return {
      total: queue.length,
      done,
      answered,
      failed: failures.length,
      skipped,
      inFlight,
      retries,
      elapsedMs,
      perMinute: perMs * 60_000,
      etaSeconds: done > 0 && perMs > 0 ? left / perMs / 1000 : left === 0 ? 0 : null,
      usage: { ...usage },
    };
  };
  const report = () => opts.onProgress?.(progress());

  // Errors that end the run, whatever their status (see UNREACHABLE_LIMIT).
  const runStoppers = new WeakSet<TeacherRequestError>();
  const isFatal = (e: TeacherRequestError) => FATAL_STATUS.has(e.status) || runStoppers.has(e);
  let reachedServer = false;
  let unreachable = 0;
  const attempt = async (messages: { role: 'user'; content: string }[], n: number) => {
    try {
      const result = await chatCompletion(config, { messages, n, signal: stop.signal, fetchImpl: opts.fetchImpl });
      reachedServer = true;
      return result;
    } catch (e) {
      if (!(e instanceof TeacherRequestError)) throw e;
      if (e.status !== 0 || e.timedOut || stop.signal.aborted) {
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

  const request = async (messages: { role: 'user'; content: string }[], n: number) => {
    const result = await withRetries(
      () => attempt(messages, n),
      { maxRetries: config.maxRetries, baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs, random: opts.random },
      stop.signal,
      (ev) => {
        retries++;
        log(`retry ${ev.retry}/${config.maxRetries} in ${(ev.delayMs / 1000).toFixed(1)} s${ev.error.retryAfterMs !== undefined ? ' (Retry-After)' : ''}: ${ev.error.message}`);
        report();
      },
    );
    if (result.usage) {
      usage.promptTokens += result.usage.promptTokens;
      usage.completionTokens += result.usage.completionTokens;
      usage.totalTokens += result.usage.totalTokens;
    }
    return result.replies;
  };

  const sample = async (question: string): Promise<string[]> => {
    const messages = [{ role: 'user' as const, content: renderPrompt(opts.template, opts.schema, question) }];
    const want = config.samples;
    const replies: string[] = [];
    if (serverHonoursN) {
      try {
        replies.push(...(await request(messages, want)).slice(0, want));
        if (replies.length < want) {
          serverHonoursN = false;
          log(`the server returned ${replies.length} of ${want} samples (it ignores "n"); asking one at a time`);
        }
      } catch (e) {
        if (!(e instanceof TeacherRequestError) || e.status !== 400) throw e;
        serverHonoursN = false;
        log(`the server rejected "n": ${e.message}; asking one sample at a time`);
      }
    }
    while (replies.length < want) replies.push(...(await request(messages, 1)).slice(0, 1));
    return replies;
  };

  const answer = async (question: string): Promise<DatasetRow> => {
    // Redact before extracting, so what is validated is exactly what is stored.
    const raws = (await sample(question)).map((raw) => redactSecret(raw, secret));
    const samples: Sample[] = raws.map((raw) => {
      const extracted = extractReply(raw);
      return { raw, extracted, validity: validate(extracted.label) };
    });
    const vote = chooseByVote(samples, canonical);
    if (samples.length > 1) log(`${question.slice(0, 60)}: ${vote.votes} of ${samples.length} samples agree (${vote.validSamples} valid)`);
    const chosen = samples[vote.index];
    const t = now();
    return {
      id: newId(),
      datasetId: opts.datasetId,
      question,
      label: chosen.extracted.label,
      rationale: chosen.extracted.rationale,
      source: 'teacher',
      status: 'pending',
      teacherModel: config.model,
      rawReply: chosen.raw,
      validity: chosen.validity,
      createdAt: t,
      updatedAt: t,
    };
  };

  let next = 0;
  const worker = async () => {
    while (!stop.signal.aborted && next < queue.length) {
      const question = queue[next++];
      inFlight++;
      report();
      let row: DatasetRow | null = null;
      try {
        row = await answer(question);
      } catch (e) {
        const err = e instanceof TeacherRequestError ? e : new TeacherRequestError(e instanceof Error ? e.message : String(e), 0, false);
        if (stop.signal.aborted && (opts.signal?.aborted || fatal)) {
          // Cancelled mid-request: no row, so resume asks it again.
          inFlight--;
          break;
        }
        const message = redactSecret(err.message, secret);
        failures.push({ question, error: message });
        log(`failed: ${question.slice(0, 60)}: ${message}`);
        if (isFatal(err)) {
          fatal = message;
          stop.abort();
        }
      }
      if (row) {
        try {
          await opts.onRow?.(row);
          answered++;
          rows.push(row);
        } catch (e) {
          // The row is not stored, so it counts as failed (resume asks it again). A store that fails once (quota,
          // closed database) will fail again: stop every worker rather than spend tokens on answers we cannot keep.
          const message = redactSecret(`could not store the answer: ${e instanceof Error ? e.message : String(e)}`, secret);
          failures.push({ question, error: message });
          log(`failed: ${question.slice(0, 60)}: ${message}`);
          fatal ??= message;
          stop.abort();
        }
      }
      inFlight--;
      report();
    }
  };

  try {
    report();
    const workers = Array.from({ length: Math.min(config.concurrency, queue.length) }, worker);
    await Promise.all(workers);
  } finally {
    // Whatever ended the run (including an unexpected throw), no worker may keep sending requests.
    stop.abort();
    opts.signal?.removeEventListener('abort', onCancel);
  }
  const final = progress();
  opts.onProgress?.(final);
  return { rows, failures, cancelled: !!opts.signal?.aborted, fatal, progress: final };
}
