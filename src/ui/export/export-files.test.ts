// The Export page's pure pieces: the loss chart SVG, the streamed zip (read back with fflate) and adapter import checks.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../engine/run-api';
import { parseAdapterFiles, parseAdapterZip } from './adapter-import';
import { lossChartSvg } from './report-chart';
import { zipToBlob } from './zip-stream';

const train = (step: number, loss: number): MetricRow => ({
  kind: 'train', step, epoch: step / 3, loss, loss_label: loss, loss_rationale: null, lr: 1e-3, grad_norm: 1, samples_per_s: 1, tokens_per_s: 1,
  gpu_bytes: { weights: 1, grads: 0, optimizer: 0, activations: 0, scratch: 0 }, gpu_peak_bytes: 1, elapsed_s: step,
});

describe('loss chart SVG', () => {
  it('draws train loss as a line through every step and eval losses as points, scaled into the plot', () => {
    const rows: MetricRow[] = [train(1, 4), train(2, 3), train(3, 2), { kind: 'eval', step: 3, epoch: 1, eval_loss: 2.5, eval_loss_label: 2.5, eval_loss_rationale: null }];
    const svg = lossChartSvg(rows, 'run <a> & b');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('run &lt;a&gt; &amp; b');
    const points = /<polyline[^>]*points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(3);
    // x grows with the step, y (SVG down) grows as the loss falls; the highest loss sits on the plot's top edge.
    expect(points[0][0]).toBeLessThan(points[1][0]);
    expect(points[0][1]).toBeLessThan(points[2][1]);
    expect(points[0][1]).toBeCloseTo(36, 5);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('train loss (3)');
    expect(svg).toContain('eval loss (1)');
  });

  it('says so when there are no metrics', () => {
    expect(lossChartSvg([], 'empty')).toContain('no metrics yet');
  });
});

describe('streamed zip', () => {
  it('holds every file byte for byte, large files split across slices, with progress up to the total', async () => {
    const big = new Uint8Array(2.5 * (1 << 20)).map((_, i) => (i * 7919) % 251);
    const files = { 'adapter_config.json': '{"r": 4}', 'adapter_model.safetensors': big, 'empty.bin': new Uint8Array(0) };
    const seen: number[] = [];
    const blob = await zipToBlob(files, (p) => seen.push(p.done));
    const back = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(back).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'empty.bin']);
    expect(new TextDecoder().decode(back['adapter_config.json'])).toBe('{"r": 4}');
    // (toEqual walks 2.6 M elements one by one: compare the bytes in one call)
    expect(Buffer.compare(back['adapter_model.safetensors'], big)).toBe(0);
    expect(back['empty.bin'].byteLength).toBe(0);
    expect(seen.at(-1)).toBe(big.byteLength + 8);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });
});

describe('adapter import', () => {
  const config = JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, base_model_name_or_path: 'google/flan-t5-small' });
  it('reads a zip with a top folder: files relative to adapter_config.json, text as text, weights as bytes', () => {
    const zip = zipSync({ 'my-adapter/adapter_config.json': strToU8(config), 'my-adapter/adapter_model.safetensors': new Uint8Array([1, 2, 3]), 'my-adapter/tokenizer.json': strToU8('{}') });
    const a = parseAdapterZip(zip, 'my-adapter.zip');
    expect(a).toMatchObject({ r: 8, alpha: 16, base: 'google/flan-t5-small' });
    expect(Object.keys(a.files).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'tokenizer.json']);
    expect(a.files['tokenizer.json']).toBe('{}');
    expect(a.files['adapter_model.safetensors']).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('names what is missing or wrong', () => {
    expect(() => parseAdapterZip(new Uint8Array([1, 2, 3]), 'x.zip')).toThrow(/x\.zip: not a readable zip/);
    expect(() => parseAdapterFiles({ 'a/README.md': strToU8('hi') }, 'a')).toThrow(/a: no adapter_config.json/);
    expect(() => parseAdapterFiles({ 'a/adapter_config.json': strToU8(config), 'a/adapter_model.bin': new Uint8Array(1) }, 'a')).toThrow(/no adapter_model.safetensors.*adapter_model.bin/);
    expect(() => parseAdapterFiles({ 'adapter_config.json': strToU8('{"peft_type":"IA3","r":1}'), 'adapter_model.safetensors': new Uint8Array(1) }, 'b')).toThrow(/peft_type is "IA3"/);
    expect(() => parseAdapterFiles({ 'adapter_config.json': strToU8('{"r":0}'), 'adapter_model.safetensors': new Uint8Array(1) }, 'c')).toThrow(/"r" must be a positive integer/);
  });
});
