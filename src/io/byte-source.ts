// Random-access bytes of one file, whatever holds them (memory, a browser Blob, a Node file, a cache entry).
// Readers ask for ranges so a multi-gigabyte checkpoint never has to sit in memory as one buffer.

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset`; rejects when the range is outside [0, size). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function checkRange(size: number, offset: number, length: number, label: string): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new Error(`${label}: read of ${length} bytes at offset ${offset} is outside the file (${size} bytes)`);
  }
}

/** A ByteSource over bytes already in memory (tests, downloads, generated files). */
export function memorySource(bytes: Uint8Array, label = 'memory'): ByteSource {
  return {
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(bytes.byteLength, offset, length, label);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A ByteSource over a Blob or File: slices are read lazily, so a cached or picked file stays on disk. */
export function blobSource(blob: Blob, label = 'blob'): ByteSource {
  return {
    size: blob.size,
    async read(offset, length) {
      checkRange(blob.size, offset, length, label);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** Whole contents of a source (small files: config, tokenizer, index). */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

export async function readText(source: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await readAll(source));
}
