import { describe, expect, it } from 'vitest';
import { randomFloats } from '../../testing/gpu';
import { dynamicCodeOf, nf4DequantizeCpu, nf4DoubleDequantizeCpu, nf4DoubleQuantizeCpu, nf4QuantizeCpu, bytesToWords, wordsToBytes } from './nf4-cpu';
import { loadNf4Fixture } from './nf4.testing';
import { DYNAMIC_MAP, NF4_CODE, NF4_THRESHOLDS, dynamicMapFromFormula } from './nf4-tables';

const fixture = loadNf4Fixture();
const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** Half the widest gap between neighbouring NF4 codes. */
const HALF_STEP = Math.max(...NF4_CODE.slice(1).map((c, i) => c - NF4_CODE[i])) / 2;

describe('NF4 on the CPU against the python golden fixtures', () => {
  it('uses the float32 midpoints of the bitsandbytes decision tree', () => {
    const bnb = [-0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544, -0.23460740596055984,
      -0.13791173323988914, -0.045525018125772476, 0.03979014977812767, 0.1202552504837513, 0.2035212516784668,
      0.2920137718319893, 0.3893125355243683, 0.5016634166240692, 0.6427869200706482, 0.8614784181118011];
    expect(Array.from(NF4_THRESHOLDS)).toEqual(bnb.map(Math.fround));
  });

  it('records the dynamic map torch builds, which is create_dynamic_map to float32 precision', () => {
    expect(bits(DYNAMIC_MAP)).toEqual(bits(fixture.dynamicMap));
    const formula = dynamicMapFromFormula();
    for (let i = 0; i < 256; i++) expect(Math.abs(DYNAMIC_MAP[i] - formula[i])).toBeLessThanOrEqual(2 ** -22 * Math.abs(formula[i]));
    expect(DYNAMIC_MAP[127]).toBe(0);
    expect(DYNAMIC_MAP[255]).toBe(1);
  });

  for (const c of fixture.cases) {
    it(`quantizes "${c.name}" (${c.input.length} elements) bit for bit`, () => {
      const got = nf4QuantizeCpu(c.input);
      expect(hex(got.codes)).toBe(hex(c.codes));
      expect(bits(got.absmax)).toEqual(bits(c.absmax));
      if (c.double) {
        const d = nf4DoubleQuantizeCpu(got.absmax);
        expect(hex(d.qabsmax)).toBe(hex(c.double.qabsmax));
        expect(bits(d.absmax2)).toEqual(bits(c.double.absmax2));
        expect(d.offset).toBe(c.double.offset);
      }
    });
  }

  it('sends exact midpoints to the lower code and the next float up to the upper one', () => {
    const { codes } = nf4QuantizeCpu(fixture.cases.find((c) => c.name === 'ties')!.input);
    const nib = (i: number) => (i & 1 ? codes[i >> 1] & 15 : codes[i >> 1] >> 4);
    expect([nib(0), nib(1)]).toEqual([15, 0]);
    for (let t = 0; t < 15; t++) expect([nib(2 + 3 * t), nib(3 + 3 * t), nib(4 + 3 * t)]).toEqual([t, t + 1, t]);
  });

  it('quantizes an all-zero block to code 0 with absmax 0 and dequantizes it to zeros', () => {
    const z = fixture.cases.find((c) => c.name === 'zeros')!;
    const q = nf4QuantizeCpu(z.input);
    expect(q.absmax[0]).toBe(0);
    expect(Array.from(q.codes.slice(0, 32)).every((b) => b === 0)).toBe(true);
    const back = nf4DequantizeCpu(q.codes, q.absmax, z.input.length);
    expect(Array.from(back.slice(0, 64)).every((v) => v === 0)).toBe(true);
  });

  it('pads an odd element count with the code of 0.0 in the last low nibble', () => {
    const q = nf4QuantizeCpu(new Float32Array([0.5, -1, 1]));
    expect(q.codes.length).toBe(2);
    expect(q.codes[1] & 15).toBe(7);
  });

  it('dequantize(quantize(x)) is within half the widest code step times absmax', () => {
    for (const n of [1, 63, 64, 65, 1000]) {
      const x = randomFloats(n, n, -2, 2);
      const q = nf4QuantizeCpu(x);
      const back = nf4DequantizeCpu(q.codes, q.absmax, n);
      for (let i = 0; i < n; i++) expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(HALF_STEP * q.absmax[i >> 6] * (1 + 1e-6));
    }
  });

  it('double quantization rebuilds absmax to within a dynamic-map step', () => {
    const c = fixture.cases.find((k) => k.name === 'scaled-44805')!;
    const d = nf4DoubleQuantizeCpu(c.absmax);
    const back = nf4DoubleDequantizeCpu(d.qabsmax, d.absmax2, d.offset);
    for (let i = 0; i < back.length; i++) {
      // the map is densest near 0 and ~1.4% apart near 1: half of that, relative to this block's absmax2
      expect(Math.abs(back[i] - c.absmax[i])).toBeLessThanOrEqual(0.0071 * d.absmax2[i >> 8] + 1e-6);
    }
  });

  it('finds the nearest dynamic code for the map values and their midpoints', () => {
    for (let i = 1; i < 255; i++) expect(dynamicCodeOf(DYNAMIC_MAP[i])).toBe(i);
    expect(dynamicCodeOf(1)).toBe(255);
    expect(dynamicCodeOf(-1)).toBe(0);
  });

  it('packs bytes into little-endian u32 words and back', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    const words = bytesToWords(bytes);
    expect(Array.from(words)).toEqual([0x04030201, 0x05]);
    expect(Array.from(wordsToBytes(words, 5))).toEqual([1, 2, 3, 4, 5]);
  });
});
