// Exports that are written as they are produced: files go out one after another, each announced with its size,
// its bytes in order as chunks, so whoever writes them (a zip on the page, a file stream in the CLI) never needs the
// whole file at once. A chunk is handed over and not touched again: the worker may transfer its buffer.
import type { FileMap } from './peft';

/** One piece of an exported file. The first chunk of a file has offset 0; the last ends at `size`. */
export interface ExportChunk {
  file: string;
  /** The file's whole size in bytes. */
  size: number;
  offset: number;
  bytes: Uint8Array;
}

/** Where an export's chunks go; the export waits for each before producing the next, and stops if it throws. */
export type ExportSink = (chunk: ExportChunk) => Promise<void> | void;

/** What an export wrote: its files with their sizes, in order. */
export interface ExportSummary {
  files: { name: string; size: number }[];
  bytes: number;
}

/** A file of an export: its size up front, then `write` emits exactly that many bytes in order. */
export interface StreamedFile {
  name: string;
  size: number;
  write(emit: (bytes: Uint8Array) => Promise<void>): Promise<void>;
}

/** A small file whose bytes exist already (text is written as UTF-8). */
export function wholeFile(name: string, data: Uint8Array | string): StreamedFile {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { name, size: bytes.byteLength, write: (emit) => emit(bytes) };
}

/**
 * Writes the files to `sink` in order, chunk by chunk; `onWritten` follows the bytes the sink has accepted out of
 * the export's total. A file that emits other than its announced size is an error naming it (a reader that trusted
 * the size would be cut off or misaligned).
 */
export async function writeExport(files: readonly StreamedFile[], sink: ExportSink, onWritten?: (done: number, total: number, file: string) => void): Promise<ExportSummary> {
  const total = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  for (const f of files) {
    let offset = 0;
    if (f.size === 0) await sink({ file: f.name, size: 0, offset: 0, bytes: new Uint8Array(0) });
    await f.write(async (bytes) => {
      const n = bytes.byteLength;
      if (n === 0) return;
      if (offset + n > f.size) throw new Error(`export: ${f.name} wrote more than its ${f.size} bytes`);
      await sink({ file: f.name, size: f.size, offset, bytes });
      offset += n;
      done += n;
      onWritten?.(done, total, f.name);
    });
    if (offset !== f.size) throw new Error(`export: ${f.name} wrote ${offset} of its ${f.size} bytes`);
  }
  return { files: files.map((f) => ({ name: f.name, size: f.size })), bytes: total };
}

/** A sink that joins the chunks back into whole files (tests, and callers that want the files in memory). */
export function fileCollector(): { sink: ExportSink; files: () => FileMap } {
  const parts = new Map<string, { size: number; chunks: Uint8Array[] }>();
  const sink: ExportSink = (c) => {
    if (c.offset === 0) parts.set(c.file, { size: c.size, chunks: [] });
    parts.get(c.file)!.chunks.push(c.bytes.slice());
  };
  const files = () => {
    const out: FileMap = new Map();
    for (const [name, { size, chunks }] of parts) {
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.byteLength;
      }
      out.set(name, bytes);
    }
    return out;
  };
  return { sink, files };
}
