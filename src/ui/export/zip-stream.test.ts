// The streamed zip: chunks of an export (a safetensors file written tensor by tensor, text files) come out as a zip
// that unzips to the same files, weights stored (not deflated) and never gathered whole before they are written.
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { wholeFile, writeExport } from '../../io/export-stream';
import { serializeSafetensors, type TensorToWrite } from '../../io/safetensors';
import { streamedSafetensors } from '../../io/safetensors-stream';
import { ZipWriter } from './zip-stream';

const TENSORS = new Map<string, TensorToWrite>(
  [['shared.weight', [40, 16]], ['encoder.block.0.layer.0.SelfAttention.q.weight', [16, 16]], ['lm_head.weight', [40, 16]]].map(([name, shape], k) => {
    const n = (shape as number[])[0] * (shape as number[])[1];
    return [name as string, { dtype: 'F32', shape: shape as number[], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.1 + k)) }];
  }),
);

/** Each entry's compression method (0 stored, 8 deflate), from the zip's central directory. */
function methods(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.byteLength - 22;
  while (view.getUint32(end, true) !== 0x06054b50) end--;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const out: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    out[name] = view.getUint16(at + 10, true);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

describe('ZipWriter', () => {
  it('zips streamed chunks into the same files; weights stored, text deflated, one chunk written at a time', async () => {
    const layout = [...TENSORS].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
    const files = [
      wholeFile('config.json', JSON.stringify({ d_model: 16, note: 'x'.repeat(500) })),
      streamedSafetensors('model.safetensors', layout, async (t) => TENSORS.get(t.name)!.data),
      wholeFile('README.md', '# merged\n'),
    ];
    const parts: Uint8Array[] = [];
    let largestIn = 0;
    const zip = new ZipWriter(async (bytes) => void parts.push(bytes.slice()));
    await writeExport(files, (c) => {
      largestIn = Math.max(largestIn, c.bytes.byteLength);
      return zip.add(c);
    });
    await zip.end();
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    parts.reduce((at, p) => (bytes.set(p, at), at + p.byteLength), 0);
    const back = unzipSync(bytes);
    expect(Object.keys(back)).toEqual(['config.json', 'model.safetensors', 'README.md']);
    expect(Buffer.compare(back['model.safetensors'], serializeSafetensors(TENSORS))).toBe(0);
    expect(new TextDecoder().decode(back['README.md'])).toBe('# merged\n');
    expect(methods(bytes)).toEqual({ 'config.json': 8, 'model.safetensors': 0, 'README.md': 8 });
    // Nothing is gathered: no piece handed on is bigger than the biggest chunk that came in.
    expect(Math.max(...parts.map((p) => p.byteLength))).toBeLessThanOrEqual(largestIn);
  });

  it('refuses chunks out of order, an unfinished file at the end, and a zip past 4 GiB, naming the file', async () => {
    const zip = new ZipWriter(async () => undefined);
    await expect(zip.add({ file: 'w.bin', size: 8, offset: 4, bytes: new Uint8Array(4) })).rejects.toThrow('zip: w.bin continued at byte 4 but was never started');
    await zip.add({ file: 'w.bin', size: 8, offset: 0, bytes: new Uint8Array(4) });
    await expect(zip.end()).rejects.toThrow('zip: w.bin ended before all its bytes came');
    const big = new ZipWriter(async () => undefined);
    await expect(big.add({ file: 'huge.safetensors', size: 2 ** 32, offset: 0, bytes: new Uint8Array(0) })).rejects.toThrow(/huge\.safetensors takes the zip past 4 GiB/);
  });
});
