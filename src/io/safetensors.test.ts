import { afterAll, describe, expect, it } from 'vitest';
import { reliabilityRecord } from '../testing/reliability';
import { memorySource } from './byte-source';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './dtype';
import {
  parseShardIndex, readSafetensorsHeader, readTensorBytes, readTensorF32, serializeSafetensors, serializeSharded,
} from './safetensors';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());
/** A row of docs/reliability.md: the error the reader gave for `input`. */
const refused = (input: string, error: unknown) =>
  record.add({ area: 'safetensors reader', input, cases: 1, outcome: error instanceof Error ? `refused: "${error.message}"` : `NOT refused: ${String(error)}` });

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

  it('refuses a header length that cuts into the padding instead of reading every tensor shifted', async () => {
    const good = serializeSafetensors(new Map([['w', { dtype: 'F32' as const, shape: [4], data: Float32Array.from([1, 2, 3, 4]) }]]));
    const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
    expect(new TextDecoder().decode(good.subarray(8 + headerLen - 2, 8 + headerLen))).toBe('  '); // padded
    for (const short of [1, 2]) {
      const bad = good.slice();
      new DataView(bad.buffer).setBigUint64(0, BigInt(headerLen - short), true);
      const err = await readSafetensorsHeader(memorySource(bad), 'm.safetensors').catch((e: Error) => e);
      expect(String(err)).toMatch(new RegExp(`m\\.safetensors: the data section is ${16 + short} bytes but its last tensor "w" ends at 16`));
      refused(`a header length ${short} byte${short > 1 ? 's' : ''} short, cutting into the padding (F32 [1,2,3,4])`, err);
    }
    const long = good.slice();
    new DataView(long.buffer).setBigUint64(0, BigInt(headerLen + 1), true);
    await expect(readSafetensorsHeader(memorySource(long), 'm')).rejects.toThrow(/m: (safetensors header is not valid JSON|tensor "w": data_offsets)/);
  });

  it('refuses gaps, a byte-order mark, invalid UTF-8 names and metadata that is not strings', async () => {
    const file = (json: string | Uint8Array, data = 0) => {
      const bytes = typeof json === 'string' ? new TextEncoder().encode(json) : json;
      const out = new Uint8Array(8 + bytes.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
      out.set(bytes, 8);
      return memorySource(out);
    };
    const w = (b: number, e: number) => ({ dtype: 'U8', shape: [e - b], data_offsets: [b, e] });
    await expect(readSafetensorsHeader(file(JSON.stringify({ a: w(0, 2), b: w(3, 5) }), 5), 'm'))
      .rejects.toThrow(/m: tensor "b" starts at data offset 3, leaving 1 unused bytes after tensor "a"/);
    await expect(readSafetensorsHeader(file(JSON.stringify({ a: w(1, 2) }), 2), 'm'))
      .rejects.toThrow(/m: tensor "a" starts at data offset 1, leaving 1 unused bytes at the start/);
    await expect(readSafetensorsHeader(file(JSON.stringify({}), 3), 'm')).rejects.toThrow(/m: the data section is 3 bytes but it has no tensors/);
    expect((await readSafetensorsHeader(file(JSON.stringify({ b: w(2, 4), a: w(0, 2), z: w(4, 4) }), 4), 'm')).tensors.size).toBe(3);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify({ a: w(0, 1) }))]);
    await expect(readSafetensorsHeader(file(bom, 1), 'm')).rejects.toThrow(/m: safetensors header starts with a UTF-8 byte-order mark/);
    refused('a byte-order mark before the header', await readSafetensorsHeader(file(bom, 1), 'm').catch((e: Error) => e));
    const name = new TextEncoder().encode(JSON.stringify({ aXb: w(0, 1) }));
    name[name.indexOf(0x58)] = 0xff;
    refused('invalid UTF-8 in a tensor name', await readSafetensorsHeader(file(name, 1), 'm').catch((e: Error) => e));
    await expect(readSafetensorsHeader(file(name, 1), 'm')).rejects.toThrow(/m: safetensors header is not valid UTF-8 \(tensor name "a\uFFFDb" has invalid bytes\)/);
    await expect(readSafetensorsHeader(file(JSON.stringify({ __metadata__: { format: { x: 1 } }, a: w(0, 1) }), 1), 'm'))
      .rejects.toThrow(/m: __metadata__\["format"\] must be a string, got an object/);
    refused('__metadata__ value that is an object', await readSafetensorsHeader(file(JSON.stringify({ __metadata__: { format: { x: 1 } }, a: w(0, 1) }), 1), 'm').catch((e: Error) => e));
    await expect(readSafetensorsHeader(file(JSON.stringify({ __metadata__: ['pt'] })), 'm')).rejects.toThrow(/__metadata__ must be an object of strings/);
    const proto = await readSafetensorsHeader(file('{"__metadata__":{"__proto__":"x"}}'), 'm');
    expect(Object.getOwnPropertyDescriptor(proto.metadata, '__proto__')?.value).toBe('x');
  });

  it('refuses shard names that are paths, empty or not safetensors files', () => {
    const index = (file: string) => JSON.stringify({ weight_map: { 'shared.weight': file } });
    for (const [file, why] of [
      ['../../etc/passwd', 'which is a path'], ['/etc/passwd', 'which is a path'], ['sub\\x.safetensors', 'which is a path'],
      ['..', 'which is a path'], ['', 'an empty file name'], ['model.bin', 'which is not a .safetensors file'], ['a\nb.safetensors', 'which has control characters'],
    ]) {
      expect(() => parseShardIndex(index(file), 'idx.json')).toThrow(`idx.json: weight_map["shared.weight"] names shard ${JSON.stringify(file)}, ${why}`);
      try {
        parseShardIndex(index(file), 'idx.json');
      } catch (e) {
        refused(`a sharded index naming shard ${JSON.stringify(file)}`, e);
      }
    }
    expect(parseShardIndex(index('model-00001-of-00002.safetensors')).files).toEqual(['model-00001-of-00002.safetensors']);
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
