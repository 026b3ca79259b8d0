// Checkpoint files as FileRecord: text for JSON/Markdown names, bytes otherwise, so both stores hand back the same
// shapes whatever they keep on disk.
import type { FileRecord } from '../engine/run-api';

const TEXT = /\.(json|jsonl|md|txt)$/;

export function isTextFile(name: string): boolean {
  return TEXT.test(name);
}

export function fileText(files: FileRecord, name: string, where = 'checkpoint'): string {
  const f = files[name];
  if (f === undefined) throw new Error(`${where}: no ${name}`);
  return typeof f === 'string' ? f : new TextDecoder().decode(f);
}

export function fileBytes(files: FileRecord, name: string, where = 'checkpoint'): Uint8Array {
  const f = files[name];
  if (f === undefined) throw new Error(`${where}: no ${name}`);
  return typeof f === 'string' ? new TextEncoder().encode(f) : f;
}

/** Names inside a checkpoint are relative paths without "..", absolute parts or empty segments. */
export function checkFileName(name: string): string {
  if (!name || name.startsWith('/') || name.split('/').some((p) => p === '' || p === '.' || p === '..')) throw new Error(`bad checkpoint file name ${JSON.stringify(name)}`);
  return name;
}
