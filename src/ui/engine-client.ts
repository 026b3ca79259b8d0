import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api';
import type { EngineErrorData, EngineErrorKind, RunApi } from '../engine/run-api';

/** Everything the worker exposes: the model methods and the run methods. */
export type StudioEngine = EngineApi & RunApi;

let client: Comlink.Remote<StudioEngine> | null = null;

/** The one engine worker of this page. */
export function engineClient(): Comlink.Remote<StudioEngine> {
  if (!client) {
    const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'stepwise-engine' });
    client = Comlink.wrap<StudioEngine>(worker);
  }
  return client;
}

/**
 * A failed engine call on the page side. The worker throws plain EngineErrorData (comlink passes thrown non-Error
 * values through unchanged), so the kind arrives as data and the studio acts on it, never on the message's words.
 */
export class EngineCallError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineCallError';
  }
}

const isErrorData = (v: unknown): v is EngineErrorData =>
  typeof v === 'object' && v !== null && typeof (v as EngineErrorData).kind === 'string' && typeof (v as EngineErrorData).message === 'string';

/** Any rejection of an engine call as an EngineCallError (an Error, or anything with a message, from elsewhere is 'internal'). */
export function asEngineError(e: unknown): EngineCallError {
  if (e instanceof EngineCallError) return e;
  if (isErrorData(e)) return new EngineCallError(e.kind, e.message);
  const message = typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return new EngineCallError('internal', message);
}

/** Awaits an engine call, rethrowing its failure as an EngineCallError. */
export async function engineCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw asEngineError(e);
  }
}
