// Test helper: the golden NF4 cases written by tools/nf4_reference.py, decoded into typed arrays.
import { readFileSync } from 'node:fs';
import { randomFloats } from '../../testing/gpu';

interface RandomSpec {
  n: number;
  seed: number;
  lo: number;
  hi: number;
}

interface RawCase {
  name: string;
  n: number;
  input: { hex?: string; random?: RandomSpec; blockScales?: RandomSpec };
  codes: string;
  absmax: string;
  double?: { qabsmax: string; absmax2: string; offset: string };
}

export interface Nf4Case {
  name: string;
  input: Float32Array;
  codes: Uint8Array;
  absmax: Float32Array;
  double: { qabsmax: Uint8Array; absmax2: Float32Array; offset: number } | null;
}

/** Hex of float32 bit patterns, 8 digits per value (the u32 written most significant digit first). */
export function hexToF32(hex: string): Float32Array {
  const words = new Uint32Array(hex.length / 8);
  for (let i = 0; i < words.length; i++) words[i] = parseInt(hex.slice(8 * i, 8 * i + 8), 16);
  return new Float32Array(words.buffer);
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function input(raw: RawCase): Float32Array {
  if (raw.input.hex) return hexToF32(raw.input.hex);
  const r = raw.input.random!;
  const x = randomFloats(r.n, r.seed, r.lo, r.hi);
  const s = raw.input.blockScales;
  if (s) {
    const scales = randomFloats(s.n, s.seed, 0, 1).map((u) => Math.fround(s.lo + (s.hi - s.lo) * u));
    for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i] * scales[i >> 6]);
  }
  return x;
}

export function loadNf4Fixture(): { dynamicMap: Float32Array; cases: Nf4Case[] } {
  const raw = JSON.parse(readFileSync(new URL('../../../fixtures/kernels/nf4.json', import.meta.url), 'utf8')) as { dynamicMap: string; cases: RawCase[] };
  return {
    dynamicMap: hexToF32(raw.dynamicMap),
    cases: raw.cases.map((c) => ({
      name: c.name,
      input: input(c),
      codes: hexToBytes(c.codes),
      absmax: hexToF32(c.absmax),
      double: c.double ? { qabsmax: hexToBytes(c.double.qabsmax), absmax2: hexToF32(c.double.absmax2), offset: hexToF32(c.double.offset)[0] } : null,
    })),
  };
}
