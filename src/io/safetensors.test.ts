import { describe, expect, it } from 'vitest';
import { memorySource } from './byte-source';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './dtype';
import {
  parseShardIndex, readSafetensorsHeader, readTensorBytes, readTensorF32, serializeSafetensors, serializeSharded,
} from './safetensors';

function sample() {
  return new Map([
    ['a', { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) }],
    ['b', { dtype: 'F16' as const, shape: [3], data: Float32Array.from([0.5, -65504, 1e-7]) }],
    ['c', { dtype: 'BF16' as const, shape: [2], data: Float32Array.from([1.00390625, -3e38]) }],
    ['i', { dtype: 'I32' as const, shape: [2], data: Int32Array.from([7, -9]) }],
    ['l', { dtype: 'I64' as const, shape: [1], data: BigInt64Array.from([123456789012n]) }],
  ]);
}

describe('16-bit float codecs', () => {
  it('round-trips every f16 and bf16 bit pattern except NaN payloads', () => {
    for (let h = 0; h < 65536; h++) {
      const v = f16BitsToF32(h);
      if (Number.isNaN(v)) expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(v)))).toBe(true);
      else expect(f32ToF16Bits(v)).toBe(h);
      const b = bf16BitsToF32(h);
      if (!Number.isNaN(b)) expect(f32ToBf16Bits(b)).toBe(h);
    }
  });
  it('rounds to nearest even and saturates to infinity', () => {
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (1.0)
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // half of the smallest subnormal ties to 0
    expect(f32ToF16Bits(3 * 2 ** -26)).toBe(1);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
});

describe('safetensors', () => {
  it('writes and reads back every dtype with exact values', async () => {
    const bytes = serializeSafetensors(sample());
    const src = memorySource(bytes);
    const h = await readSafetensorsHeader(src, 'x.safetensors');
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.dataStart % 8).toBe(0);
    expect([...h.tensors.keys()]).toEqual(['a', 'b', 'c', 'i', 'l']);
    expect(h.tensors.get('a')!.shape).toEqual([2, 3]);
    expect([...(await readTensorF32(src, h, 'a'))]).toEqual([...Float32Array.from([1, -2, 3.5, 0, 1e-8, -7])]);
    const b = await readTensorF32(src, h, 'b');
    expect(b[0]).toBe(0.5);
    expect(b[1]).toBe(-65504);
    expect(b[2]).toBe(f16BitsToF32(f32ToF16Bits(1e-7)));
    const c = await readTensorF32(src, h, 'c');
    expect(c[0]).toBe(1); // 1 + 2^-8 rounds to even
    expect(c[1]).toBe(bf16BitsToF32(f32ToBf16Bits(-3e38)));
    // Integer tensors are written for completeness; the loader reads only floats, so check their bytes here.
    expect([...new Int32Array((await readTensorBytes(src, h, 'i')).slice().buffer)]).toEqual([7, -9]);
    expect([...new BigInt64Array((await readTensorBytes(src, h, 'l')).slice().buffer)]).toEqual([123456789012n]);
  });

  it('reads only the header and the requested tensor', async () => {
    const bytes = serializeSafetensors(sample());
    const reads: [number, number][] = [];
    const inner = memorySource(bytes);
    const src = { size: inner.size, read: (o: number, n: number) => (reads.push([o, n]), inner.read(o, n)) };
    const h = await readSafetensorsHeader(src, 'x');
    await readTensorF32(src, h, 'b');
    const t = h.tensors.get('b')!;
    expect(reads).toEqual([[0, 8], [8, h.dataStart - 8], [t.begin, 6]]);
  });

  it('rejects bad files with messages naming the file and tensor', async () => {
    const header = (obj: unknown, data = 0) => {
      const json = new TextEncoder().encode(JSON.stringify(obj));
      const out = new Uint8Array(8 + json.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return memorySource(out);
    };
    await expect(readSafetensorsHeader(memorySource(new Uint8Array(4)), 'm.safetensors')).rejects.toThrow(/m\.safetensors: not a safetensors file/);
    await expect(readSafetensorsHeader(header({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, 1), 'm')).rejects.toThrow(/m: tensor "w": unsupported dtype "F8"/);
    await expect(readSafetensorsHeader(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4), 'm')).rejects.toThrow(/tensor "w": F32 shape \[2\] needs 8 bytes but data_offsets span 4/);
    await expect(readSafetensorsHeader(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4), 'm')).rejects.toThrow(/tensor "w": data_offsets \[0, 8\] fall outside the 4-byte data section/);
    await expect(readSafetensorsHeader(header({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), 'm')).rejects.toThrow(/shape must be a list of non-negative integers/);
    await expect(readSafetensorsHeader(header({
      u: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    }, 8), 'm')).rejects.toThrow(/"u" and "w" overlap/);
  });

  it('shards tensors and writes an index that maps every name to its file', async () => {
    const files = serializeSharded(sample(), 2);
    expect([...files.keys()]).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    const index = parseShardIndex(files.get('model.safetensors.index.json') as string);
    expect(index.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(index.metadata.total_size).toBe(24 + 6 + 4 + 8 + 8);
    for (const [name, file] of index.weightMap) {
      const h = await readSafetensorsHeader(memorySource(files.get(file) as Uint8Array), file);
      expect(h.tensors.has(name)).toBe(true);
    }
    expect(() => parseShardIndex('{"metadata":{}}', 'idx.json')).toThrow(/idx\.json: missing "weight_map"/);
  });
});
