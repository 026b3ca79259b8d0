// Zips built as their files arrive, through fflate's streaming Zip: each chunk of an export (ExportChunk: a file
// announced at offset 0 with its size, then its bytes in order) is pushed into its entry and the zip's output goes
// straight to `out`, so neither the file nor the zip is ever held whole here. CRCs are computed chunk by chunk by
// fflate. Weights are stored (float data hardly compresses), text is deflated. fflate writes no ZIP64, so a zip
// stops at 4 GiB with an error rather than a corrupt file.
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ExportChunk } from '../../engine/api';
import type { FileRecord } from '../../engine/run-api';

type Entry = ZipPassThrough | ZipDeflate;

const SLICE = 1 << 20;
/** The 32-bit sizes and offsets of a zip without ZIP64, less room for the headers and the central directory. */
const ZIP32_LIMIT = 2 ** 32 - (1 << 20);

export class ZipWriter {
  private readonly zip: Zip;
  private entry: Entry | null = null;
  private entryName = '';
  private pending: Uint8Array[] = [];
  private failed: Error | null = null;
  private input = 0;

  constructor(private readonly out: (bytes: Uint8Array) => Promise<void>) {
    // fflate calls back synchronously inside push(); the chunks wait here until add() hands them to `out` in order.
    this.zip = new Zip((err, chunk) => {
      if (err) this.failed = err;
      else this.pending.push(chunk);
    });
  }

  /** One chunk of an export: offset 0 starts the file's entry, the chunk that reaches its size ends it. */
  async add(c: ExportChunk): Promise<void> {
    if (c.offset === 0) {
      this.input += c.size;
      if (this.input > ZIP32_LIMIT) throw new Error(`zip: ${c.file} takes the zip past 4 GiB, more than a zip without ZIP64 holds`);
      const entry: Entry = /\.(json|md|txt)$/.test(c.file) ? new ZipDeflate(c.file, { level: 6 }) : new ZipPassThrough(c.file);
      this.entry = entry;
      this.entryName = c.file;
      this.zip.add(entry);
    } else if (!this.entry || this.entryName !== c.file) {
      throw new Error(`zip: ${c.file} continued at byte ${c.offset} but was never started`);
    }
    const final = c.offset + c.bytes.byteLength === c.size;
    this.entry!.push(c.bytes, final);
    if (final) this.entry = null;
    await this.flush();
  }

  /** Writes the central directory; call once every file has ended. */
  async end(): Promise<void> {
    if (this.entry) throw new Error(`zip: ${this.entryName} ended before all its bytes came`);
    this.zip.end();
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    const ready = this.pending;
    this.pending = [];
    for (const bytes of ready) await this.out(bytes);
  }
}

export interface ZipProgress {
  /** Bytes of the files read so far. */
  done: number;
  total: number;
  file: string;
}

/**
 * Files already in memory as export chunks of at most 1 MiB (views, no copies), each awaited by `sink`; between
 * slices the loop yields so the page can show progress.
 */
export async function fileRecordChunks(files: FileRecord, sink: (c: ExportChunk) => Promise<void>, onProgress?: (p: ZipProgress) => void): Promise<void> {
  const bytes = Object.entries(files).map(([name, v]) => [name, typeof v === 'string' ? new TextEncoder().encode(v) : v] as const);
  const total = bytes.reduce((n, [, b]) => n + b.byteLength, 0);
  let done = 0;
  for (const [name, data] of bytes) {
    if (data.byteLength === 0) await sink({ file: name, size: 0, offset: 0, bytes: data });
    for (let at = 0; at < data.byteLength; at += SLICE) {
      const end = Math.min(at + SLICE, data.byteLength);
      await sink({ file: name, size: data.byteLength, offset: at, bytes: data.subarray(at, end) });
      done += end - at;
      onProgress?.({ done, total, file: name });
      await new Promise((ok) => setTimeout(ok, 0));
    }
  }
}

/** A zip of files already in memory, as a Blob made of the zip's chunks (no second contiguous copy). */
export async function zipToBlob(files: FileRecord, onProgress?: (p: ZipProgress) => void): Promise<Blob> {
  const parts: BlobPart[] = [];
  const zip = new ZipWriter(async (chunk) => void parts.push(chunk as Uint8Array<ArrayBuffer>));
  await fileRecordChunks(files, (c) => zip.add(c), onProgress);
  await zip.end();
  return new Blob(parts, { type: 'application/zip' });
}
