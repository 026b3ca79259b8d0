// Structural difference of two JSON values for the per-sample view: which paths the prediction adds, which of the
// reference's it lacks, and which leaves (or kinds of value) differ. Object keys are compared as sets, array items
// by position (order matters in sort, bool clause lists and _source), numbers by value (1.0 equals 1).
import { childPath, type JsonValue } from '../data/query-dsl';

export interface JsonDiffEntry {
  /** JSON path in the style of the validator's problems ("$.query.bool.filter[0]"). */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** The reference's value (removed, changed). */
  before?: JsonValue;
  /** The prediction's value (added, changed). */
  after?: JsonValue;
}

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Differences turning `reference` into `prediction`, in document order of the reference then the prediction. */
export function jsonDiff(reference: JsonValue, prediction: JsonValue, path = '$'): JsonDiffEntry[] {
  if (isObject(reference) && isObject(prediction)) {
    const out: JsonDiffEntry[] = [];
    for (const key of Object.keys(reference)) {
      const p = childPath(path, key);
      if (Object.hasOwn(prediction, key)) out.push(...jsonDiff(reference[key], prediction[key], p));
      else out.push({ path: p, kind: 'removed', before: reference[key] });
    }
    for (const key of Object.keys(prediction)) {
      if (!Object.hasOwn(reference, key)) out.push({ path: childPath(path, key), kind: 'added', after: prediction[key] });
    }
    return out;
  }
  if (Array.isArray(reference) && Array.isArray(prediction)) {
    const out: JsonDiffEntry[] = [];
    const n = Math.max(reference.length, prediction.length);
    for (let i = 0; i < n; i++) {
      const p = childPath(path, i);
      if (i >= prediction.length) out.push({ path: p, kind: 'removed', before: reference[i] });
      else if (i >= reference.length) out.push({ path: p, kind: 'added', after: prediction[i] });
      else out.push(...jsonDiff(reference[i], prediction[i], p));
    }
    return out;
  }
  // Leaves, or a change of kind (object vs array vs scalar).
  return reference === prediction ? [] : [{ path, kind: 'changed', before: reference, after: prediction }];
}
