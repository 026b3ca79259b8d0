// Engine failures carry a kind, so callers (the studio through comlink, the CLI, tests) branch on data, never on
// message text. toErrorData turns anything thrown into EngineErrorData; fromErrorData rebuilds an EngineError on
// the other side of the worker boundary.
import { GpuProgramError } from '../gpu/errors';
import type { EngineErrorData, EngineErrorKind } from './run-api';

export const ENGINE_ERROR_KINDS: readonly EngineErrorKind[] = ['cancelled', 'device-lost', 'out-of-memory', 'storage-full', 'bad-input', 'busy', 'not-found', 'internal'];

export class EngineError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
  }

  toData(): EngineErrorData {
    return { kind: this.kind, message: this.message };
  }
}

/** The kind of a thrown value: EngineError's own, a GPU error's (device lost, out of memory), else 'internal'. */
export function errorKind(e: unknown): EngineErrorKind {
  if (e instanceof EngineError) return e.kind;
  if (e instanceof GpuProgramError) {
    if (e.report.kind === 'device-lost') return 'device-lost';
    if (e.report.kind === 'out-of-memory') return 'out-of-memory';
  }
  return 'internal';
}

/** Plain data for any thrown value (structured-clone safe). */
export function toErrorData(e: unknown): EngineErrorData {
  return { kind: errorKind(e), message: e instanceof Error ? e.message : String(e) };
}

/** An EngineError from data that crossed the worker (an unknown kind becomes 'internal'). */
export function fromErrorData(data: EngineErrorData): EngineError {
  const kind = ENGINE_ERROR_KINDS.includes(data.kind) ? data.kind : 'internal';
  return new EngineError(kind, data.message);
}

/** Whether a value is EngineErrorData (e.g. a rejection's payload after it crossed comlink). */
export function isErrorData(v: unknown): v is EngineErrorData {
  return typeof v === 'object' && v !== null && typeof (v as EngineErrorData).kind === 'string' && typeof (v as EngineErrorData).message === 'string';
}

/** Rethrows an EngineError as it is; anything else becomes a bad-input EngineError with its message. */
export function badInput(e: unknown): never {
  if (e instanceof EngineError) throw e;
  throw new EngineError('bad-input', e instanceof Error ? e.message : String(e));
}
