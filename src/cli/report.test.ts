// `stepwise report` from a small results.json (no training): every SVG figure also comes out as a PNG of its size.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { reportCommand } from './report';

const DIR = mkdtempSync(join(tmpdir(), 'stepwise-report-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const row = (method: string, rank: number | null, alpha: number | null, seed: number, loss: number) => ({
  model: 'tiny', method, rank, alpha, seed, a: 0.5, status: 'done', best_eval_loss: loss, final_eval_loss: loss + 0.01,
  samples_per_s: 100 + seed, peak_gpu_bytes: 1e6, train_seconds: 3, exact_match: 0.5,
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

it('writes Figure 6 and Figure 7 as PNG with the SVG width and height', async () => {
  const rows = [row('full', null, null, 0, 1.2), row('lora', 4, 8, 0, 1.5), row('lora', 8, 16, 0, 1.4), row('lora', 4, 16, 1, 1.45)];
  writeFileSync(join(DIR, 'results.json'), JSON.stringify(rows));
  const out = join(DIR, 'out');
  expect(await reportCommand(['--runs', DIR, '--out', out])).toBe(0);
  for (const name of ['figure6-quad', 'figure7-heatmap']) {
    const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
    const size = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(svg);
    expect(size, `${name}.svg has width and height`).not.toBeNull();
    expect(existsSync(join(out, `${name}.png`))).toBe(true);
    const png = readFileSync(join(out, `${name}.png`));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // IHDR is the first chunk: width and height as big-endian 32-bit integers at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([Number(size![1]), Number(size![2])]);
  }
});
