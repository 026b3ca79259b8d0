// Test-only: read the committed tiny checkpoints and golden fixtures from disk.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memorySource } from '../io/byte-source';
import { readSafetensorsHeader, readTensorF32 } from '../io/safetensors';
import { parseT5Config, type T5Config } from '../model/config';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export async function readSafetensorsFile(path: string): Promise<Map<string, Float32Array>> {
  const source = memorySource(new Uint8Array(readFileSync(path)), path);
  const header = await readSafetensorsHeader(source, path);
  const out = new Map<string, Float32Array>();
  for (const name of header.tensors.keys()) out.set(name, await readTensorF32(source, header, name));
  return out;
}

export async function tinyCheckpoint(name: string): Promise<{ config: T5Config; weights: Map<string, Float32Array> }> {
  const dir = `${FIXTURES}tiny-t5/${name}/`;
  const config = parseT5Config(JSON.parse(readFileSync(`${dir}config.json`, 'utf8')), `${dir}config.json`);
  return { config, weights: await readSafetensorsFile(`${dir}model.safetensors`) };
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Per-tensor check: max |a - e| <= rtol * max |e| (plus a floor for all-zero tensors). Message or null. */
export function tensorMismatch(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, floor = 1e-7): string | null {
  if (actual.length !== expected.length) return `${name}: ${actual.length} values, expected ${expected.length}`;
  let scale = 0;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (worst <= rtol * scale + floor) return null;
  const first = Array.from({ length: Math.min(4, expected.length) }, (_, i) => `${actual[i].toPrecision(6)}/${expected[i].toPrecision(6)}`).join(' ');
  return `${name}: max |diff| ${worst.toExponential(3)} at ${at} (got ${actual[at]}, expected ${expected[at]}), scale ${scale.toExponential(3)}; first got/expected: ${first}`;
}
