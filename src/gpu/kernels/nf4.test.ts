import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { add } from './add';
import { NF4_CODE, allocNf4, freeNf4, nf4Bytes, nf4Dequantize, nf4LinearBackwardInput, nf4LinearForward, nf4Quantize, nf4Read, nf4Upload } from './nf4';
import { nf4DequantizeCpu, nf4DoubleDequantizeCpu, nf4DoubleQuantizeCpu, nf4QuantizeCpu } from './nf4-cpu';
import { loadNf4Fixture } from './nf4.testing';
import { dropoutRef } from './dropout.ref';
import { matmulRef } from './matmul.ref';
import { nf4LinearBackwardInputRef, nf4LinearForwardRef } from './nf4.ref';

const fixture = loadNf4Fixture();
const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A weight quantized on the CPU, uploaded, and its CPU dequantization (the reference's weight). */
function cpuWeight(rows: number, cols: number, seed: number, double: boolean) {
  const x = randomFloats(rows * cols, seed, -0.5, 0.5);
  const q = nf4QuantizeCpu(x);
  if (!double) return { q, deq: nf4DequantizeCpu(q.codes, q.absmax, x.length) };
  const d = nf4DoubleQuantizeCpu(q.absmax);
  return { q: { codes: q.codes, double: d }, deq: nf4DequantizeCpu(q.codes, nf4DoubleDequantizeCpu(d.qabsmax, d.absmax2, d.offset), x.length) };
}

describe('NF4 quantize on Dawn matches the golden fixtures bit for bit', () => {
  for (const c of fixture.cases) {
    for (const double of c.double ? [false, true] : [false]) {
      it(`"${c.name}" (${c.input.length} elements${double ? ', double-quantized' : ''})`, async () => {
        const gpu = await testGpu();
        const n = c.input.length;
        const inp = gpu.upload(c.input, [n], 'f32', 'scratch', 'w');
        const w = allocNf4(gpu, 1, n, c.name, { double });
        nf4Quantize(gpu, w, inp);
        const got = await nf4Read(gpu, w);
        gpu.free(inp);
        freeNf4(gpu, w);
        expect(hex(got.codes)).toBe(hex(c.codes));
        if (!double) {
          expect(bits(got.absmax!)).toEqual(bits(c.absmax));
        } else {
          expect(hex(got.double!.qabsmax)).toBe(hex(c.double!.qabsmax));
          expect(bits(got.double!.absmax2)).toEqual(bits(c.double!.absmax2));
          expect(got.double!.offset).toBe(c.double!.offset);
          expect(w.double!.offset).toBe(c.double!.offset);
        }
      });
    }
  }

  it('matches nf4QuantizeCpu on a weight whose blocks cross rows (37 x 45)', async () => {
    const gpu = await testGpu();
    const x = randomFloats(37 * 45, 21, -4, 4);
    const inp = gpu.upload(x, [x.length], 'f32', 'scratch', 'w');
    const w = allocNf4(gpu, 37, 45, 'w');
    nf4Quantize(gpu, w, inp);
    const got = await nf4Read(gpu, w);
    gpu.free(inp);
    freeNf4(gpu, w);
    const want = nf4QuantizeCpu(x);
    expect(hex(got.codes)).toBe(hex(want.codes));
    expect(bits(got.absmax!)).toEqual(bits(want.absmax));
  });
});

describe('NF4 dequantize on Dawn', () => {
  for (const double of [false, true]) {
    it(`equals the CPU dequantization${double ? ' (double-quantized scales)' : ''}`, async () => {
      const gpu = await testGpu();
      const rows = 29;
      const cols = 77; // 2233 elements: 35 blocks, a 57-element tail
      const { q, deq } = cpuWeight(rows, cols, 4, double);
      const w = nf4Upload(gpu, rows, cols, q, 'w');
      const out = gpu.tensor([rows * cols], 'f32', 'scratch', 'deq');
      nf4Dequantize(gpu, out, w);
      const got = await gpu.readF32(out);
      gpu.free(out);
      freeNf4(gpu, w);
      if (double) expect(closeness(got, deq, { rtol: 1e-6, atol: 1e-9 })).toBeNull();
      else expect(bits(got)).toEqual(bits(deq));
    });
  }

  it('dequantize(quantize(x)) is within half the widest NF4 step times absmax', async () => {
    const gpu = await testGpu();
    const n = 1000;
    const x = randomFloats(n, 8, -3, 3);
    const inp = gpu.upload(x, [n], 'f32', 'scratch', 'x');
    const w = allocNf4(gpu, 10, 100, 'w');
    const out = gpu.tensor([n], 'f32', 'scratch', 'back');
    nf4Quantize(gpu, w, inp);
    nf4Dequantize(gpu, out, w);
    const back = await gpu.readF32(out);
    const { absmax } = await nf4Read(gpu, w);
    gpu.free(inp, out);
    freeNf4(gpu, w);
    const halfStep = Math.max(...NF4_CODE.slice(1).map((c, i) => c - NF4_CODE[i])) / 2;
    for (let i = 0; i < n; i++) expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(halfStep * absmax![i >> 6] * (1 + 1e-6));
  });
});

describe('NF4 dequantize-matmul on Dawn against the float64 CPU reference', () => {
  // N = 1; rows*cols not a multiple of 64; cols not a multiple of 64 (blocks cross rows); tiles not filled;
  // cols a multiple of 8 (the aligned kernel) with blocks crossing rows, more than one row tile, odd OC.
  const shapes: [number, number, number][] = [
    [1, 70, 33],
    [37, 100, 45],
    [5, 64, 64],
    [40, 33, 70],
    [65, 136, 7],
    [3, 8, 24],
  ];
  for (const [N, C, OC] of shapes) {
    for (const double of [false, true]) {
      it(`forward and backward-input, N=${N} C=${C} OC=${OC}${double ? ', double-quantized' : ''}`, async () => {
        const gpu = await testGpu();
        const { q, deq } = cpuWeight(OC, C, N + C + OC, double);
        const w = nf4Upload(gpu, OC, C, q, 'w');
        const x = randomFloats(N * C, 2);
        const dy = randomFloats(N * OC, 3);
        const prev = randomFloats(N * OC, 5);
        const tx = gpu.upload(x, [N, C], 'f32', 'activations', 'x');
        const tdy = gpu.upload(dy, [N, OC], 'f32', 'activations', 'dy');
        const ty = gpu.upload(prev, [N, OC], 'f32', 'activations', 'y');
        const tdx = gpu.upload(randomFloats(N * C, 6), [N, C], 'f32', 'activations', 'dx');
        // accumulate into y, overwrite dx: both modes are exercised
        nf4LinearForward(gpu, ty, tx, w, N, C, OC, { accumulate: true, alpha: 0.5 });
        nf4LinearBackwardInput(gpu, tdx, tdy, w, N, C, OC);
        const y = await gpu.readF32(ty);
        const dx = await gpu.readF32(tdx);
        gpu.free(tx, tdy, ty, tdx);
        freeNf4(gpu, w);
        const yRef = nf4LinearForwardRef(x, deq, N, C, OC, 0.5).map((v, i) => v + prev[i]);
        expect(closeness(y, yRef, { rtol: 1e-4, atol: 1e-5 })).toBeNull();
        expect(closeness(dx, nf4LinearBackwardInputRef(dy, deq, N, C, OC), { rtol: 1e-4, atol: 1e-5 })).toBeNull();
      });
    }
  }

  it('composes with LoRA: y = x.W^T + (alpha/r) (x.A^T).B^T, base in NF4, LoRA term added with add()', async () => {
    const gpu = await testGpu();
    const [N, C, OC, r, loraAlpha] = [6, 48, 40, 4, 16];
    const { q, deq } = cpuWeight(OC, C, 12, false);
    const w = nf4Upload(gpu, OC, C, q, 'w');
    const x = randomFloats(N * C, 13);
    const A = randomFloats(r * C, 14, -0.2, 0.2);
    const B = randomFloats(OC * r, 15, -0.2, 0.2);
    // LoRA term on the CPU with plain float64 matmuls (A (r,C), B (OC,r)): the test is about the NF4 base
    const xa = nf4LinearForwardRef(x, A, N, C, r);
    const lora = Float32Array.from(nf4LinearForwardRef(xa, B, N, r, OC, loraAlpha / r));
    const tx = gpu.upload(x, [N, C], 'f32', 'activations', 'x');
    const tbase = gpu.tensor([N, OC], 'f32', 'activations', 'base');
    const tlora = gpu.upload(lora, [N, OC], 'f32', 'activations', 'lora');
    const ty = gpu.tensor([N, OC], 'f32', 'activations', 'y');
    nf4LinearForward(gpu, tbase, tx, w, N, C, OC);
    add(gpu, ty, tbase, tlora);
    const y = await gpu.readF32(ty);
    gpu.free(tx, tbase, tlora, ty);
    freeNf4(gpu, w);
    const ref = nf4LinearForwardRef(x, deq, N, C, OC).map((v, i) => v + lora[i]);
    expect(closeness(y, ref, { rtol: 1e-4, atol: 1e-5 })).toBeNull();
  });

  it('adds a LoRA layer in its store: forward + scaling * xa.B^T (and the output dropout), backward-input + dropout(dxa.A)', async () => {
    const gpu = await testGpu();
    const [N, C, OC, r, scaling] = [7, 48, 40, 4, 2.5]; // r % 4 == 0: the forward reads xa and B four k at a time
    const o = { p: 0.3, seed: 5, stream: 321 };
    const { q, deq } = cpuWeight(OC, C, 17, true);
    const w = nf4Upload(gpu, OC, C, q, 'w');
    const h = { x: randomFloats(N * C, 18), xa: randomFloats(N * r, 19), B: randomFloats(OC * r, 20), dy: randomFloats(N * OC, 21), dxa: randomFloats(N * r, 22), A: randomFloats(r * C, 23), prev: randomFloats(N * C, 24) };
    const t = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, gpu.upload(v, [v.length], 'f32', 'activations', k)]));
    const ty = gpu.tensor([N * OC], 'f32', 'activations', 'y');
    nf4LinearForward(gpu, ty, t.x, w, N, C, OC, { second: { a: t.xa, b: t.B, K: r, transB: true, alpha: scaling } });
    nf4LinearBackwardInput(gpu, t.prev, t.dy, w, N, C, OC, { accumulate: true, second: { a: t.dxa, b: t.A, K: r, dropout: o } });
    // A sub-layer's output: res + dropout(x.W^T + scaling * xa.B^T), the residual accumulated after the dropout.
    const res = randomFloats(N * OC, 25);
    const tres = gpu.upload(res, [N * OC], 'f32', 'activations', 'res');
    nf4LinearForward(gpu, tres, t.x, w, N, C, OC, { accumulate: true, outputDropout: o, second: { a: t.xa, b: t.B, K: r, transB: true, alpha: scaling } });
    const [y, dx, out] = [await gpu.readF32(ty), await gpu.readF32(t.prev), await gpu.readF32(tres)];
    gpu.free(ty, tres, ...Object.values(t));
    freeNf4(gpu, w);
    const lora = matmulRef(h.xa, h.B, { M: N, N: OC, K: r }, { transB: true, alpha: scaling });
    expect(closeness(y, nf4LinearForwardRef(h.x, deq, N, C, OC).map((v, i) => v + lora[i]), { rtol: 1e-4, atol: 1e-5 })).toBeNull();
    const yRef = nf4LinearForwardRef(h.x, deq, N, C, OC).map((v, i) => v + lora[i]);
    expect(closeness(out, dropoutRef(yRef, o).map((v, i) => v + res[i]), { rtol: 1e-4, atol: 1e-5 })).toBeNull();
    const dlora = dropoutRef(matmulRef(h.dxa, h.A, { M: N, N: C, K: r }), o);
    const dxRef = nf4LinearBackwardInputRef(h.dy, deq, N, C, OC).map((v, i) => v + dlora[i] + h.prev[i]);
    expect(closeness(dx, dxRef, { rtol: 1e-4, atol: 1e-5 })).toBeNull();
  });

  it('has an f16 variant (activations and dequantization in f16, f32 sums)', async (ctx) => {
    const gpu = await testGpu();
    if (!gpu.info.f16) ctx.skip();
    const [N, C, OC] = [9, 70, 33];
    const { q, deq } = cpuWeight(OC, C, 30, false);
    const w = nf4Upload(gpu, OC, C, q, 'w');
    const x = randomFloats(N * C, 31);
    const toHalf = (a: Float32Array) => {
      const h = new Uint16Array(a.length);
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      for (let i = 0; i < a.length; i++) {
        // round to nearest f16 (values here are normal, |v| < 1)
        f[0] = a[i];
        const b = u[0];
        const sign = (b >>> 16) & 0x8000;
        const e = ((b >>> 23) & 255) - 127 + 15;
        let m = b & 0x7fffff;
        if (e <= 0) { h[i] = sign; continue; }
        let v = (e << 10) | (m >>> 13);
        m &= 0x1fff;
        if (m > 0x1000 || (m === 0x1000 && (v & 1))) v++;
        h[i] = sign | v;
      }
      return h;
    };
    const fromHalf = (h: Uint16Array) => Float32Array.from(h, (v) => {
      const e = (v >> 10) & 31;
      const m = v & 1023;
      const s = v & 0x8000 ? -1 : 1;
      return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
    });
    const tx = gpu.upload(toHalf(x), [N, C], 'f16', 'activations', 'x16');
    const ty = gpu.tensor([N, OC], 'f16', 'activations', 'y16');
    nf4LinearForward(gpu, ty, tx, w, N, C, OC);
    const y = fromHalf((await gpu.read(ty)) as Uint16Array);
    gpu.free(tx, ty);
    freeNf4(gpu, w);
    expect(closeness(y, nf4LinearForwardRef(x, deq, N, C, OC), { rtol: 1e-2, atol: 1e-2 })).toBeNull();
  });
});

describe('NF4 bookkeeping', () => {
  it('refuses mismatched shapes with the names and shapes in the message', async () => {
    const gpu = await testGpu();
    const w = allocNf4(gpu, 8, 16, 'q');
    const x = gpu.tensor([4, 16], 'f32', 'scratch', 'x');
    const y = gpu.tensor([4, 8], 'f32', 'scratch', 'y');
    expect(() => nf4LinearForward(gpu, y, x, w, 4, 8, 16)).toThrow(/weight "q" is \(8, 16\), expected \(OC, C\) = \(16, 8\)/);
    expect(() => nf4LinearForward(gpu, y, x, w, 5, 16, 8)).toThrow(/nf4LinearForward: out "y" \(4,8\) has 32 elements, needs 40/);
    expect(() => nf4Quantize(gpu, w, y)).toThrow(/nf4Quantize "q": input has 32 elements, expected the weight \(8,16\) = 128/);
    expect(() => nf4LinearForward(gpu, y, x, w, 4, 0, 8)).toThrow(/nf4LinearForward: C must be an integer >= 1, got 0/);
    const xi = gpu.tensor([4, 16], 'i32', 'scratch', 'xi');
    expect(() => nf4LinearForward(gpu, y, xi, w, 4, 16, 8)).toThrow(/out "y" \(4,8\) is f32 and inp "xi" \(4,16\) is i32; both must be f32 or both f16/);
    gpu.free(x, y, xi);
    freeNf4(gpu, w);
  });

  it('counts theoretical bytes and frees everything it allocates', async () => {
    const gpu = await testGpu();
    expect(nf4Bytes(64, 64, false)).toBe(2048 + 4 * 64);
    expect(nf4Bytes(64, 64, true)).toBe(2048 + 64 + 4 + 4);
    const before = gpu.memory().live;
    const x = gpu.upload(randomFloats(300, 1), [300], 'f32', 'scratch', 'x');
    const w = allocNf4(gpu, 3, 100, 'w', { double: true });
    nf4Quantize(gpu, w, x);
    await gpu.finish();
    gpu.free(x);
    freeNf4(gpu, w);
    const after = gpu.memory().live;
    // the 1 KiB dynamic map stays for the device's life
    expect(after.scratch).toBe(before.scratch);
    expect(after.weights - before.weights).toBeLessThanOrEqual(1024);
  });
});
