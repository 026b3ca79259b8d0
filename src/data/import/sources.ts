// Input for the importer: a byte stream (File.stream(), fetch body, fs stream via Readable.toWeb), an async iterable
// of text chunks, or a whole string. Decoded as UTF-8 in chunks; a leading byte-order mark is dropped.

export type ImportSource = ReadableStream<Uint8Array> | AsyncIterable<string> | string;

export interface TextChunk {
  text: string;
  /** Bytes consumed so far (for string sources: characters). */
  consumed: number;
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The import was cancelled', 'AbortError');
}

async function* fromByteStream(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<TextChunk> {
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8');
  let consumed = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const { done, value } = await reader.read();
      if (done) break;
      consumed += value.byteLength;
      yield { text: decoder.decode(value, { stream: true }), consumed };
    }
    const tail = decoder.decode();
    if (tail) yield { text: tail, consumed };
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* fromStrings(chunks: AsyncIterable<string> | string, signal?: AbortSignal): AsyncGenerator<TextChunk> {
  let consumed = 0;
  if (typeof chunks === 'string') {
    // Hand a big string over in slices so progress and cancellation still happen.
    const step = 1 << 20;
    for (let i = 0; i < chunks.length || i === 0; i += step) {
      if (signal?.aborted) throw abortError(signal);
      const text = chunks.slice(i, i + step);
      consumed += text.length;
      yield { text, consumed };
      if (chunks.length === 0) break;
    }
    return;
  }
  for await (const text of chunks) {
    if (signal?.aborted) throw abortError(signal);
    consumed += text.length;
    yield { text, consumed };
  }
}

/** Text chunks of a source, without a leading BOM. */
export async function* textChunks(source: ImportSource, signal?: AbortSignal): AsyncGenerator<TextChunk> {
  const inner = typeof source === 'string' || !('getReader' in source) ? fromStrings(source, signal) : fromByteStream(source, signal);
  let first = true;
  for await (const chunk of inner) {
    if (first && chunk.text.length > 0) {
      first = false;
      if (chunk.text.charCodeAt(0) === 0xfeff) chunk.text = chunk.text.slice(1);
    }
    yield chunk;
  }
}
