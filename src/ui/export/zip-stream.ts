// A zip built as it is read: each file goes through fflate's streaming Zip in 1 MiB slices, and the zip's chunks
// become the parts of a Blob, so a large model is never copied whole a second time (the Blob holds the zip, the
// slices are views of the file). Weights are stored (safetensors hardly compress), text is deflated. Between slices
// the loop yields, so the page can show progress.
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { FileRecord } from '../../engine/run-api';

const SLICE = 1 << 20;

export interface ZipProgress {
  /** Bytes of the files read so far. */
  done: number;
  total: number;
  file: string;
}

export async function zipToBlob(files: FileRecord, onProgress?: (p: ZipProgress) => void): Promise<Blob> {
  const parts: BlobPart[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else parts.push(chunk as Uint8Array<ArrayBuffer>);
  });
  const bytes = Object.entries(files).map(([name, v]) => [name, typeof v === 'string' ? new TextEncoder().encode(v) : v] as const);
  const total = bytes.reduce((n, [, b]) => n + b.byteLength, 0);
  let done = 0;
  for (const [name, data] of bytes) {
    const entry = /\.(json|md|txt)$/.test(name) ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    zip.add(entry);
    if (data.byteLength === 0) entry.push(new Uint8Array(0), true);
    for (let at = 0; at < data.byteLength; at += SLICE) {
      const end = Math.min(at + SLICE, data.byteLength);
      entry.push(data.subarray(at, end), end === data.byteLength);
      done += end - at;
      onProgress?.({ done, total, file: name });
      await new Promise((ok) => setTimeout(ok, 0));
      if (failed) throw failed;
    }
  }
  zip.end();
  if (failed) throw failed;
  return new Blob(parts, { type: 'application/zip' });
}
