// RunStore on IndexedDB (the studio; fake-indexeddb in Node tests), the same format as the folder store:
// "runs" (RunRecord by id), "data" (RunData by run id), "metrics" (one MetricRow per record, by [runId, seq]),
// "files" (checkpoint files by [runId, version, name]) and "pointers" ([runId, name] -> version). A save writes the
// new version's files first; one transaction then switches the pointer and deletes the old version. Generation
// evaluations sit in "files" too, as [runId, "eval", "eval-<checkpoint>.json"] (a version no checkpoint uses), so
// deleting the run removes them.
import { openDB, type IDBPDatabase } from 'idb';
import type { StoredEvaluation } from '../../engine/api';
import type { FileRecord, MetricRow, RunData, RunRecord } from '../../engine/run-api';
import { EngineError } from '../../engine/errors';
import { checkFileName } from '../../train/run-files';
import { checkRunId, KEPT_EVALUATIONS, type CheckpointName, type RunStore } from '../../engine/run-store';

export const RUNS_DB_NAME = 'stepwise-runs';

type Db = IDBPDatabase<unknown>;

interface MetricRecord {
  runId: string;
  seq: number;
  row: MetricRow;
}

const ofRun = (runId: string): IDBKeyRange => IDBKeyRange.bound([runId], [runId, []]);
const ofVersion = (runId: string, version: string): IDBKeyRange => IDBKeyRange.bound([runId, version], [runId, version, []]);

export async function openIdbRunStore(name = RUNS_DB_NAME): Promise<RunStore> {
  const db = await openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'id' });
      d.createObjectStore('data');
      d.createObjectStore('metrics', { keyPath: ['runId', 'seq'] });
      d.createObjectStore('files');
      d.createObjectStore('pointers');
    },
  });
  return new IdbRunStore(db);
}

let versions = 0;

const isQuotaError = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';

/** Bytes a stored value takes (text as UTF-16, as IndexedDB keeps strings; records as their JSON); nothing is 0. */
const storedBytes = (v: unknown): number => (v === undefined || v === null ? 0 : typeof v === 'string' ? v.length * 2 : v instanceof Uint8Array ? v.byteLength : JSON.stringify(v).length * 2);

/** Bytes a checkpoint's files take. */
const checkpointBytes = (files: FileRecord): number => Object.values(files).reduce((n, v) => n + storedBytes(v), 0);

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A full browser store, said with the space the checkpoint needs and what the site uses of its quota when the browser says. */
async function storageFullError(id: string, name: CheckpointName, files: FileRecord): Promise<EngineError> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const estimate = storage && typeof storage.estimate === 'function' ? await storage.estimate().catch(() => null) : null;
  const used = estimate?.usage !== undefined && estimate.quota !== undefined ? `; this site uses ${mb(estimate.usage)} of its ${mb(estimate.quota)} quota` : '';
  return new EngineError(
    'storage-full',
    `browser storage is full: checkpoint ${name} of run ${id} needs about ${mb(checkpointBytes(files))}${used}. The previous ${name} checkpoint is kept. ` +
      'Delete runs or datasets you no longer need (or allow persistent storage), then resume the run.',
  );
}
const EVAL_VERSION = 'eval';

class IdbRunStore implements RunStore {
  constructor(private readonly db: Db) {}

  async listRuns(): Promise<RunRecord[]> {
    const all = (await this.db.getAll('runs')) as RunRecord[];
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    return ((await this.db.get('runs', checkRunId(id))) as RunRecord | undefined) ?? null;
  }

  async putRun(record: RunRecord): Promise<void> {
    checkRunId(record.id);
    await this.db.put('runs', record);
  }

  async deleteRun(id: string): Promise<boolean> {
    checkRunId(id);
    const tx = this.db.transaction(['runs', 'data', 'metrics', 'files', 'pointers'], 'readwrite');
    const had = (await tx.objectStore('runs').getKey(id)) !== undefined;
    await Promise.all([
      tx.objectStore('runs').delete(id),
      tx.objectStore('data').delete(id),
      tx.objectStore('metrics').delete(ofRun(id)),
      tx.objectStore('files').delete(ofRun(id)),
      tx.objectStore('pointers').delete(ofRun(id)),
    ]);
    await tx.done;
    return had;
  }

  async putData(id: string, data: RunData): Promise<void> {
    await this.db.put('data', data, checkRunId(id));
  }

  async getData(id: string): Promise<RunData | null> {
    return ((await this.db.get('data', checkRunId(id))) as RunData | undefined) ?? null;
  }

  async appendMetrics(id: string, rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    const tx = this.db.transaction('metrics', 'readwrite');
    const store = tx.objectStore('metrics');
    const last = await store.openCursor(ofRun(checkRunId(id)), 'prev');
    let seq = last ? (last.value as MetricRecord).seq + 1 : 0;
    for (const row of rows) void store.put({ runId: id, seq: seq++, row } satisfies MetricRecord);
    await tx.done;
  }

  async metrics(id: string): Promise<MetricRow[]> {
    const all = (await this.db.getAll('metrics', ofRun(checkRunId(id)))) as MetricRecord[];
    return all.map((m) => m.row);
  }

  async truncateMetrics(id: string, step: number): Promise<void> {
    const tx = this.db.transaction('metrics', 'readwrite');
    let cursor = await tx.store.openCursor(ofRun(checkRunId(id)));
    while (cursor) {
      if ((cursor.value as MetricRecord).row.step > step) await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async saveCheckpoint(id: string, name: CheckpointName, files: FileRecord): Promise<void> {
    checkRunId(id);
    const version = `${name}-${Date.now()}-${++versions}`;
    const write = this.db.transaction('files', 'readwrite');
    write.done.catch(() => undefined); // awaited below; an abort after a thrown put must not go unhandled
    try {
      for (const [file, data] of Object.entries(files)) write.store.put(data, [id, version, checkFileName(file)]).catch(() => undefined);
      await write.done;
    } catch (e) {
      // Nothing of the new version stays (the transaction is undone) and the pointer still names the previous one.
      try {
        write.abort();
      } catch {
        // already aborted or finished
      }
      throw isQuotaError(e) ? await storageFullError(id, name, files) : e;
    }
    const swap = this.db.transaction(['files', 'pointers'], 'readwrite');
    const pointers = swap.objectStore('pointers');
    const old = (await pointers.get([id, name])) as string | undefined;
    await pointers.put(version, [id, name]);
    if (old) await swap.objectStore('files').delete(ofVersion(id, old));
    await swap.done;
  }

  async loadCheckpoint(id: string, name: CheckpointName): Promise<FileRecord | null> {
    const tx = this.db.transaction(['files', 'pointers'], 'readonly');
    const version = (await tx.objectStore('pointers').get([checkRunId(id), name])) as string | undefined;
    if (!version) return null;
    const out: FileRecord = {};
    let cursor = await tx.objectStore('files').openCursor(ofVersion(id, version));
    while (cursor) {
      out[(cursor.key as string[])[2]] = cursor.value as Uint8Array | string;
      cursor = await cursor.continue();
    }
    await tx.done;
    return out;
  }

  async runBytes(id: string): Promise<number> {
    let n = 0;
    // A run may have no data, metrics or files yet (created, then failed before its first write): that counts 0.
    for (const v of await this.db.getAll('files', ofRun(checkRunId(id)))) n += storedBytes(v);
    for (const v of await this.db.getAll('metrics', ofRun(id))) n += storedBytes(v);
    n += storedBytes(await this.db.get('data', id));
    return n;
  }

  async addEvaluation(id: string, evaluation: StoredEvaluation): Promise<void> {
    const key = [checkRunId(id), EVAL_VERSION, `eval-${evaluation.checkpoint}.json`];
    const tx = this.db.transaction('files', 'readwrite');
    const old = ((await tx.store.get(key)) as StoredEvaluation[] | undefined) ?? [];
    await tx.store.put([evaluation, ...old].slice(0, KEPT_EVALUATIONS), key);
    await tx.done;
  }

  async evaluations(id: string): Promise<StoredEvaluation[]> {
    const all = (await this.db.getAll('files', ofVersion(checkRunId(id), EVAL_VERSION))) as StoredEvaluation[][];
    return all.flat().sort((a, b) => b.at - a.at);
  }
}
