// DSS batches as the CLI's BATCH.json and the trainer build them, and their host-side preparation:
// shapes checked, decoder inputs shifted right, masks and counts derived once.

export interface TaskBatch {
  /** (B, Tin) token ids, padded with pad (0). */
  input_ids: number[][];
  /** (B, Tin) 1 for real tokens, 0 for padding. */
  attention_mask: number[][];
  /** (B, Tout) target ids, padded with -100. */
  labels: number[][];
}

/** The two DSS tasks of one batch; no rationale task trains label-only. The loss mix a belongs to the run. */
export interface DssBatch {
  label: TaskBatch;
  rationale?: TaskBatch;
}

/** BATCH.json (the grads command, the PyTorch goldens): a batch plus the mix a it is scored with, as "alpha". */
export interface DssBatchFile extends DssBatch {
  alpha: number;
}

import { IGNORE_INDEX } from '../common/tokenizer-types';

/** A task batch flattened for upload, with everything the kernels need. */
export interface PreparedTask {
  B: number;
  Tin: number;
  Tout: number;
  inputIds: Int32Array; // (B*Tin)
  keyMask: Uint32Array; // (B*Tin)
  decoderInputIds: Int32Array; // (B*Tout)
  targets: Int32Array; // (B*Tout), -100 ignored
  /** Non-ignored targets: the loss is a mean over these. */
  targetCount: number;
}

function rectangular(rows: unknown, what: string): number[][] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error(`${what} must be a non-empty array of rows`);
  const width = (rows[0] as unknown[])?.length;
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width || width === 0) throw new Error(`${what}[${i}] must have ${width} entries like row 0`);
    r.forEach((v, j) => {
      if (!Number.isInteger(v)) throw new Error(`${what}[${i}][${j}] is not an integer: ${JSON.stringify(v)}`);
    });
  });
  return rows as number[][];
}

/** Check a task batch against the vocabulary and derive decoder inputs (labels shifted right, -100 -> pad). */
export function prepareTask(task: TaskBatch, name: string, vocabSize: number, decoderStartId: number, padId: number): PreparedTask {
  const ids = rectangular(task.input_ids, `${name}.input_ids`);
  const mask = rectangular(task.attention_mask, `${name}.attention_mask`);
  const labels = rectangular(task.labels, `${name}.labels`);
  const B = ids.length;
  const Tin = ids[0].length;
  const Tout = labels[0].length;
  if (mask.length !== B || mask[0].length !== Tin) throw new Error(`${name}.attention_mask must be ${B}x${Tin} like input_ids`);
  if (labels.length !== B) throw new Error(`${name}.labels has ${labels.length} rows, input_ids has ${B}`);
  const inputIds = new Int32Array(B * Tin);
  const keyMask = new Uint32Array(B * Tin);
  const decoderInputIds = new Int32Array(B * Tout);
  const targets = new Int32Array(B * Tout);
  let targetCount = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Tin; t++) {
      const id = ids[b][t];
      if (id < 0 || id >= vocabSize) throw new Error(`${name}.input_ids[${b}][${t}] = ${id} is outside the vocabulary (0..${vocabSize - 1})`);
      inputIds[b * Tin + t] = id;
      const m = mask[b][t];
      if (m !== 0 && m !== 1) throw new Error(`${name}.attention_mask[${b}][${t}] must be 0 or 1`);
      keyMask[b * Tin + t] = m;
    }
    for (let t = 0; t < Tout; t++) {
      const y = labels[b][t];
      if (y !== IGNORE_INDEX && (y < 0 || y >= vocabSize)) throw new Error(`${name}.labels[${b}][${t}] = ${y} is outside the vocabulary and not -100`);
      targets[b * Tout + t] = y;
      if (y !== IGNORE_INDEX) targetCount++;
      const prev = t === 0 ? decoderStartId : labels[b][t - 1];
      decoderInputIds[b * Tout + t] = prev === IGNORE_INDEX ? padId : prev;
    }
  }
  return { B, Tin, Tout, inputIds, keyMask, decoderInputIds, targets, targetCount };
}

export function parseDssBatch(json: unknown, source = 'batch'): DssBatchFile {
  if (typeof json !== 'object' || json === null) throw new Error(`${source}: expected an object with alpha, label and rationale`);
  const o = json as Record<string, unknown>;
  const alpha = o.alpha === undefined ? 0.5 : o.alpha;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new Error(`${source}: alpha must be a number in [0, 1]`);
  if (typeof o.label !== 'object' || o.label === null) throw new Error(`${source}: missing "label" task`);
  if (alpha < 1 && (typeof o.rationale !== 'object' || o.rationale === null)) throw new Error(`${source}: alpha < 1 needs a "rationale" task`);
  return { alpha, label: o.label as TaskBatch, rationale: alpha < 1 ? (o.rationale as TaskBatch) : undefined };
}

/** The shape of joinTasks(first, second): both tasks' rows, the longer input and the longer target. */
export function jointShape(first: PreparedTask, second: PreparedTask): { B: number; Tin: number; Tout: number } {
  return { B: first.B + second.B, Tin: Math.max(first.Tin, second.Tin), Tout: Math.max(first.Tout, second.Tout) };
}

/**
 * Two prepared tasks as one batch: `first`'s rows, then `second`'s, each padded to the longer input (pad, key mask 0)
 * and the longer target (decoder input pad, target -100). Padding changes no real token's result: padded keys are
 * masked, padded decoder positions come after every real one (causal) and count in no loss.
 */
export function joinTasks(first: PreparedTask, second: PreparedTask, padId: number): PreparedTask {
  const { B, Tin, Tout } = jointShape(first, second);
  const inputIds = new Int32Array(B * Tin).fill(padId);
  const keyMask = new Uint32Array(B * Tin);
  const decoderInputIds = new Int32Array(B * Tout).fill(padId);
  const targets = new Int32Array(B * Tout).fill(IGNORE_INDEX);
  let row = 0;
  for (const task of [first, second]) {
    for (let b = 0; b < task.B; b++, row++) {
      inputIds.set(task.inputIds.subarray(b * task.Tin, (b + 1) * task.Tin), row * Tin);
      keyMask.set(task.keyMask.subarray(b * task.Tin, (b + 1) * task.Tin), row * Tin);
      decoderInputIds.set(task.decoderInputIds.subarray(b * task.Tout, (b + 1) * task.Tout), row * Tout);
      targets.set(task.targets.subarray(b * task.Tout, (b + 1) * task.Tout), row * Tout);
    }
  }
  return { B, Tin, Tout, inputIds, keyMask, decoderInputIds, targets, targetCount: first.targetCount + second.targetCount };
}
