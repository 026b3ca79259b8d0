// The teacher run: questions in, DatasetRows out. Concurrency-limited, retried, cancellable and resumable
// (questions that already have a teacher row are skipped), with progress (done/total, rate, ETA) and token usage.
// Host-agnostic: needs only fetch and AbortController, so it runs in the page, a worker or Node.
//
// The steps, each in its own module: planQuestions (plan.ts) -> per question, createRequester().sample
// (requester.ts) -> answerRow (answer.ts) -> onRow; this file runs them on `concurrency` workers and keeps score.
import { canonicalJson, validateQueryDsl } from '../query-dsl';
import type { DatasetRow, IndexSchema, RowValidity } from '../records';
import { answerRow, type AnswerContext } from './answer';
import { TeacherRequestError, type TokenUsage } from './client';
import { checkTeacherConfig, type TeacherConfig } from './config';
import { planQuestions } from './plan';
import { renderPrompt } from './prompt';
import { redactSecret } from './redact';
import { createRequester, UNREACHABLE_LIMIT } from './requester';

export { UNREACHABLE_LIMIT };

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

/** Counts of one run and the progress reports made from them. */
function createScore(total: number, skipped: number, usage: TokenUsage, now: () => number) {
  const start = now();
  const score = { answered: 0, failed: 0, inFlight: 0, retries: 0 };
  const snapshot = (): TeacherProgress => {
    const elapsedMs = now() - start;
    const done = score.answered + score.failed;
    const perMs = elapsedMs > 0 ? done / elapsedMs : 0;
    const left = total - done;
    return {
      total,
      done,
      answered: score.answered,
      failed: score.failed,
      skipped,
      inFlight: score.inFlight,
      retries: score.retries,
      elapsedMs,
      perMinute: perMs * 60_000,
      etaSeconds: done > 0 && perMs > 0 ? left / perMs / 1000 : left === 0 ? 0 : null,
      usage: { ...usage },
    };
  };
  return { score, snapshot };
}

export async function runTeacher(opts: TeacherRunOptions): Promise<TeacherRunResult> {
  const { config } = opts;
  checkTeacherConfig(config);
  const now = opts.now ?? Date.now;
  const secret = config.apiKey?.trim();
  const log = (line: string) => opts.onLog?.(redactSecret(line, secret));

  const { queue, skipped } = planQuestions(opts.questions, opts.answered);

  // Our own controller so a fatal error can stop the other workers too.
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  if (opts.signal?.aborted) stop.abort();

  const requester = createRequester(config, {
    signal: stop.signal,
    fetchImpl: opts.fetchImpl,
    random: opts.random,
    log,
    onRetry: (ev) => {
      score.retries++;
      log(`retry ${ev.retry}/${config.maxRetries} in ${(ev.delayMs / 1000).toFixed(1)} s${ev.error.retryAfterMs !== undefined ? ' (Retry-After)' : ''}: ${ev.error.message}`);
      report();
    },
  });
  const { score, snapshot } = createScore(queue.length, skipped, requester.usage, now);
  const report = () => opts.onProgress?.(snapshot());
  const answerContext: AnswerContext = {
    datasetId: opts.datasetId,
    teacherModel: config.model,
    validate: opts.validate ?? ((label: string) => validateQueryDsl(label, opts.schema)),
    canonical: opts.canonical ?? ((label: string) => canonicalJson(label) ?? label),
    newId: opts.newId ?? (() => crypto.randomUUID()),
    now,
  };

  const rows: DatasetRow[] = [];
  const failures: TeacherFailure[] = [];
  let fatal: string | undefined;
  const fail = (question: string, message: string) => {
    failures.push({ question, error: message });
    score.failed++;
    log(`failed: ${question.slice(0, 60)}: ${message}`);
  };

  /** Ask one question; undefined when the run was cancelled mid-request (no row: resume asks it again). */
  const ask = async (question: string): Promise<DatasetRow | null | undefined> => {
    try {
      const messages = [{ role: 'user' as const, content: renderPrompt(opts.template, opts.schema, question) }];
      // Redact before extracting, so what is validated is exactly what is stored.
      const raws = (await requester.sample(messages)).map((raw) => redactSecret(raw, secret));
      const { row, vote, samples } = answerRow(question, raws, answerContext);
      if (samples > 1) log(`${question.slice(0, 60)}: ${vote.votes} of ${samples} samples agree (${vote.validSamples} valid)`);
      return row;
    } catch (e) {
      const err = e instanceof TeacherRequestError ? e : new TeacherRequestError(e instanceof Error ? e.message : String(e), 0, false);
      if (stop.signal.aborted && (opts.signal?.aborted || fatal)) return undefined;
      const message = redactSecret(err.message, secret);
      fail(question, message);
      if (requester.isFatal(err)) {
        fatal = message;
        stop.abort();
      }
      return null;
    }
  };

  /** Hand the row to the caller's store; a store that fails once (quota, closed database) stops the run. */
  const keep = async (question: string, row: DatasetRow) => {
    try {
      await opts.onRow?.(row);
      score.answered++;
      rows.push(row);
    } catch (e) {
      // The row is not stored, so it counts as failed (resume asks it again); stop every worker rather than spend
      // tokens on answers we cannot keep.
      const message = redactSecret(`could not store the answer: ${e instanceof Error ? e.message : String(e)}`, secret);
      fail(question, message);
      fatal ??= message;
      stop.abort();
    }
  };

  let next = 0;
  const worker = async () => {
    while (!stop.signal.aborted && next < queue.length) {
      const question = queue[next++];
      score.inFlight++;
      report();
      const row = await ask(question);
      if (row === undefined) {
        score.inFlight--;
        break;
      }
      if (row) await keep(question, row);
      score.inFlight--;
      report();
    }
  };

  try {
    report();
    await Promise.all(Array.from({ length: Math.min(config.concurrency, queue.length) }, worker));
  } finally {
    // Whatever ended the run (including an unexpected throw), no worker may keep sending requests.
    stop.abort();
    opts.signal?.removeEventListener('abort', onCancel);
  }
  const final = snapshot();
  opts.onProgress?.(final);
  return { rows, failures, cancelled: !!opts.signal?.aborted, fatal, progress: final };
}
