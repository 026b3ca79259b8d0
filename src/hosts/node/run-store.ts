// RunStore on disk: a folder per run under a root (the CLI's --out RUN_DIR is <root>/<id>). run.json, metrics.jsonl,
// data.json, checkpoints/latest/, checkpoints/best/. A checkpoint is written to a fresh folder, then the old one is
// renamed aside, the new one renamed into place and the old one removed; a crash between the two renames leaves the
// old one in place as .<name>.old, which loading falls back to.
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StoredEvaluation } from '../../engine/api';
import type { FileRecord, MetricRow, RunData, RunRecord } from '../../engine/run-api';
import { checkFileName, isTextFile } from '../../train/run-files';
import { checkRunId, KEPT_EVALUATIONS, type CheckpointName, type RunStore } from '../../engine/run-store';

const exists = async (path: string) => stat(path).then(() => true, () => false);

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), `${prefix}${e.name}/`)));
    else if (e.isFile()) out.push(`${prefix}${e.name}`);
  }
  return out;
}

export class FsRunStore implements RunStore {
  private writes = 0;

  constructor(readonly root: string) {}

  /** The folder of a run. */
  dir(id: string): string {
    return join(this.root, checkRunId(id));
  }

  async listRuns(): Promise<RunRecord[]> {
    if (!(await exists(this.root))) return [];
    const out: RunRecord[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const run = await this.getRun(e.name).catch(() => null);
      if (run) out.push(run);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const path = join(this.dir(id), 'run.json');
    if (!(await exists(path))) return null;
    try {
      return JSON.parse(await readFile(path, 'utf8')) as RunRecord;
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
    }
  }

  async putRun(record: RunRecord): Promise<void> {
    const dir = this.dir(record.id);
    await mkdir(dir, { recursive: true });
    // Replace run.json in one rename, so a crash never leaves half a file.
    const tmp = join(dir, `.run.json.${process.pid}.${++this.writes}`);
    await writeFile(tmp, `${JSON.stringify(record, null, 1)}\n`);
    await rename(tmp, join(dir, 'run.json'));
  }

  async deleteRun(id: string): Promise<boolean> {
    const dir = this.dir(id);
    if (!(await exists(join(dir, 'run.json')))) return false;
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  async putData(id: string, data: RunData): Promise<void> {
    await mkdir(this.dir(id), { recursive: true });
    await writeFile(join(this.dir(id), 'data.json'), JSON.stringify(data));
  }

  async getData(id: string): Promise<RunData | null> {
    const path = join(this.dir(id), 'data.json');
    return (await exists(path)) ? (JSON.parse(await readFile(path, 'utf8')) as RunData) : null;
  }

  async appendMetrics(id: string, rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    await mkdir(this.dir(id), { recursive: true });
    await appendFile(join(this.dir(id), 'metrics.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async metrics(id: string): Promise<MetricRow[]> {
    const path = join(this.dir(id), 'metrics.jsonl');
    if (!(await exists(path))) return [];
    const lines = (await readFile(path, 'utf8')).split('\n');
    const out: MetricRow[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line) as MetricRow);
      } catch {
        // A crash mid-append can cut the last line; anything else is damage worth naming.
        if (i < lines.length - 2) throw new Error(`${path}: line ${i + 1} is not valid JSON`);
      }
    });
    return out;
  }

  async truncateMetrics(id: string, step: number): Promise<void> {
    const kept = (await this.metrics(id)).filter((r) => r.step <= step);
    const path = join(this.dir(id), 'metrics.jsonl');
    const tmp = `${path}.${process.pid}.${++this.writes}`;
    await writeFile(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await rename(tmp, path);
  }

  async saveCheckpoint(id: string, name: CheckpointName, files: FileRecord): Promise<void> {
    const base = join(this.dir(id), 'checkpoints');
    const fresh = join(base, `.${name}.new-${process.pid}-${++this.writes}`);
    const final = join(base, name);
    const old = join(base, `.${name}.old`);
    for (const [file, data] of Object.entries(files)) {
      const path = join(fresh, checkFileName(file));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
    }
    await rm(old, { recursive: true, force: true });
    if (await exists(final)) await rename(final, old);
    await rename(fresh, final);
    await rm(old, { recursive: true, force: true });
  }

  async loadCheckpoint(id: string, name: CheckpointName): Promise<FileRecord | null> {
    const base = join(this.dir(id), 'checkpoints');
    let dir = join(base, name);
    if (!(await exists(dir))) {
      dir = join(base, `.${name}.old`);
      if (!(await exists(dir))) return null;
    }
    const out: FileRecord = {};
    for (const file of await listFiles(dir)) {
      const data = await readFile(join(dir, file));
      out[file] = isTextFile(file) ? data.toString('utf8') : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    return out;
  }

  async runBytes(id: string): Promise<number> {
    const dir = this.dir(id);
    if (!(await exists(dir))) return 0;
    let n = 0;
    for (const f of await listFiles(dir)) n += (await stat(join(dir, f))).size;
    return n;
  }

  /** eval-<checkpoint>.json: that checkpoint's evaluations, newest first, replaced in one rename. */
  async addEvaluation(id: string, evaluation: StoredEvaluation): Promise<void> {
    const path = join(this.dir(id), `eval-${evaluation.checkpoint}.json`);
    const kept = [evaluation, ...(await this.readEvaluations(path))].slice(0, KEPT_EVALUATIONS);
    await mkdir(this.dir(id), { recursive: true });
    const tmp = `${path}.${process.pid}.${++this.writes}`;
    await writeFile(tmp, `${JSON.stringify(kept)}\n`);
    await rename(tmp, path);
  }

  async evaluations(id: string): Promise<StoredEvaluation[]> {
    const all = [];
    for (const name of ['best', 'latest'] as const) all.push(...(await this.readEvaluations(join(this.dir(id), `eval-${name}.json`))));
    return all.sort((a, b) => b.at - a.at);
  }

  private async readEvaluations(path: string): Promise<StoredEvaluation[]> {
    if (!(await exists(path))) return [];
    try {
      return JSON.parse(await readFile(path, 'utf8')) as StoredEvaluation[];
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
    }
  }
}
