// The CLI's end of a streamed export: chunks land in files in the folder, an existing file is never overwritten,
// and a failed export removes the files it had started.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderSink } from './folder-sink';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'stepwise-sink-'));
  dirs.push(d);
  return d;
};
const bytes = (...v: number[]) => Uint8Array.from(v);

describe('folderSink', () => {
  it('writes each file from its chunks', async () => {
    const dir = folder();
    const out = folderSink(dir);
    await out.sink({ file: 'a.bin', size: 5, offset: 0, bytes: bytes(1, 2) });
    await out.sink({ file: 'a.bin', size: 5, offset: 2, bytes: bytes(3, 4, 5) });
    await out.sink({ file: 'b.txt', size: 2, offset: 0, bytes: bytes(104, 105) });
    await out.close();
    expect([...readFileSync(join(dir, 'a.bin'))]).toEqual([1, 2, 3, 4, 5]);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('hi');
  });

  it('refuses to overwrite a file, and discard removes only what it created', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'keep.json'), 'mine');
    const out = folderSink(dir);
    await out.sink({ file: 'part.bin', size: 9, offset: 0, bytes: bytes(1, 2, 3) });
    await expect(out.sink({ file: 'keep.json', size: 2, offset: 0, bytes: bytes(1, 2) })).rejects.toThrow(/EEXIST/);
    await out.discard();
    expect(existsSync(join(dir, 'part.bin'))).toBe(false);
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('mine');
  });
});
