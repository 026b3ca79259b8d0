// Streamed exports: safetensors written tensor by tensor is the file serializeSafetensors writes, byte for byte;
// chunks arrive in order with their offsets; a file that writes other than its announced size is refused by name.
import { describe, expect, it } from 'vitest';
import { fileCollector, wholeFile, writeExport, type ExportChunk, type StreamedFile } from './export-stream';
import { readSafetensorsHeader, readTensorF32, serializeSafetensors, type TensorToWrite } from './safetensors';
import { streamedSafetensors } from './safetensors-stream';
import { memorySource } from './byte-source';

const TENSORS = new Map<string, TensorToWrite>([
  ['encoder.weight', { dtype: 'F32', shape: [3, 5], data: Float32Array.from({ length: 15 }, (_, i) => i * 0.37 - 2) }],
  ['half', { dtype: 'F16', shape: [7], data: Float32Array.from([0.5, -65504, 1e-7, 3.14159, 0, -0, 2]) }],
  ['brain', { dtype: 'BF16', shape: [2, 2], data: Float32Array.from([1.00390625, -3e38, 7, 1e-20]) }],
  ['ids', { dtype: 'I32', shape: [3], data: Int32Array.from([7, -9, 2 ** 30]) }],
  ['odd', { dtype: 'U8', shape: [5], data: Uint8Array.from([1, 2, 3, 4, 5]) }],
  ['empty', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
]);

describe('streamed safetensors', () => {
  it('writes the bytes serializeSafetensors writes, header first, then one tensor per chunk', async () => {
    const metadata = { step: '12', note: 'ünïcode' };
    const asked: string[] = [];
    const layout = [...TENSORS].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
    const file = streamedSafetensors('model.safetensors', layout, async (t) => {
      asked.push(t.name);
      return TENSORS.get(t.name)!.data;
    }, metadata);
    const whole = serializeSafetensors(TENSORS, metadata);
    expect(file.size).toBe(whole.byteLength);
    // Nothing is read until the file is written: the size comes from the shapes alone.
    expect(asked).toEqual([]);
    const chunks: ExportChunk[] = [];
    const collected = fileCollector();
    await writeExport([file], (c) => {
      chunks.push({ ...c, bytes: c.bytes.slice() });
      return collected.sink(c);
    });
    expect(asked).toEqual([...TENSORS.keys()]);
    const bytes = collected.files().get('model.safetensors') as Uint8Array;
    expect(Buffer.compare(bytes, whole)).toBe(0);
    // The empty tensor adds no chunk: the header, then one chunk per non-empty tensor, offsets contiguous.
    expect(chunks.length).toBe(1 + TENSORS.size - 1);
    let at = 0;
    for (const c of chunks) {
      expect(c.offset).toBe(at);
      at += c.bytes.byteLength;
    }
    expect(at).toBe(file.size);
    const header = await readSafetensorsHeader(memorySource(bytes), 'model.safetensors');
    expect(header.metadata).toEqual({ format: 'pt', ...metadata });
    expect([...(await readTensorF32(memorySource(bytes), header, 'encoder.weight'))]).toEqual([...(TENSORS.get('encoder.weight')!.data as Float32Array)]);
  });

  it('refuses a tensor whose data does not fit its shape, naming it', async () => {
    const file = streamedSafetensors('m.safetensors', [{ name: 'w', dtype: 'F32', shape: [2, 2] }], async () => new Float32Array(3));
    await expect(writeExport([file], () => undefined)).rejects.toThrow(/tensor "w": shape \[2, 2\] F32 needs 16 bytes, data has 12/);
  });
});

describe('writeExport', () => {
  it('sends files in order with sizes and offsets, counts progress, and announces an empty file', async () => {
    const seen: { file: string; size: number; offset: number; n: number }[] = [];
    const progress: [number, number, string][] = [];
    const summary = await writeExport([wholeFile('a.json', '{"x":1}'), wholeFile('empty.txt', ''), wholeFile('b.bin', new Uint8Array(5))], (c) => {
      seen.push({ file: c.file, size: c.size, offset: c.offset, n: c.bytes.byteLength });
    }, (done, total, file) => progress.push([done, total, file]));
    expect(seen).toEqual([
      { file: 'a.json', size: 7, offset: 0, n: 7 },
      { file: 'empty.txt', size: 0, offset: 0, n: 0 },
      { file: 'b.bin', size: 5, offset: 0, n: 5 },
    ]);
    expect(progress).toEqual([[7, 12, 'a.json'], [12, 12, 'b.bin']]);
    expect(summary).toEqual({ files: [{ name: 'a.json', size: 7 }, { name: 'empty.txt', size: 0 }, { name: 'b.bin', size: 5 }], bytes: 12 });
  });

  it('refuses a file that writes more or less than it announced, naming it', async () => {
    const lying = (size: number, n: number): StreamedFile => ({ name: 'liar.bin', size, write: (emit) => emit(new Uint8Array(n)) });
    await expect(writeExport([lying(4, 6)], () => undefined)).rejects.toThrow('export: liar.bin wrote more than its 4 bytes');
    await expect(writeExport([lying(8, 6)], () => undefined)).rejects.toThrow('export: liar.bin wrote 6 of its 8 bytes');
  });

  it('stops at the chunk whose sink throws: nothing after it is produced', async () => {
    let produced = 0;
    const file: StreamedFile = {
      name: 'w.bin', size: 40,
      async write(emit) {
        for (let i = 0; i < 10; i++) {
          produced++;
          await emit(new Uint8Array(4));
        }
      },
    };
    let n = 0;
    await expect(writeExport([file], () => { if (++n === 2) throw new Error('cancelled'); })).rejects.toThrow('cancelled');
    expect(produced).toBe(2);
  });
});
