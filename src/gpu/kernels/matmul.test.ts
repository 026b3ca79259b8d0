import { describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import type { Gpu } from '../gpu';
import { dropoutForward } from './dropout';
import { axpy } from './elementwise';
import { matmul, MATMUL_VARIANTS, variantUnfitness, type MatmulDims, type MatmulOptions } from './matmul';
import { variantNamed } from './matmul-programs';
import { matmulRef } from './matmul.ref';

const TOL = { rtol: 1e-4, atol: 1e-5 };

interface Case {
  dims: MatmulDims;
  opts?: Omit<MatmulOptions, 'residual' | 'variant' | 'second'>;
  residual?: boolean;
}

async function check(gpu: Gpu, variant: string, c: Case, seed: number): Promise<string | null> {
  const { M, N, K } = c.dims;
  const batch = c.dims.batch ?? 1;
  const o = c.opts ?? {};
  const sA = o.strideA ?? M * K;
  const sB = o.strideB ?? K * N;
  const sO = o.strideOut ?? M * N;
  const aHost = randomFloats((batch - 1) * sA + M * K, seed);
  const bHost = randomFloats((batch - 1) * sB + K * N, seed + 1);
  const outLen = (batch - 1) * sO + M * N;
  const outHost = randomFloats(outLen, seed + 2);
  const resHost = c.residual ? randomFloats(batch * M * N, seed + 3) : undefined;
  const a = gpu.upload(aHost, [aHost.length], 'f32', 'scratch', 'a');
  const b = gpu.upload(bHost, [bHost.length], 'f32', 'scratch', 'b');
  const out = gpu.upload(outHost, [outLen], 'f32', 'scratch', 'out');
  const res = resHost ? gpu.upload(resHost, [resHost.length], 'f32', 'scratch', 'residual') : undefined;
  matmul(gpu, out, a, b, c.dims, { ...o, residual: res, variant });
  const got = await gpu.readF32(out);
  gpu.free(a, b, out, res);
  const want = matmulRef(aHost, bHost, c.dims, { ...o, residual: resHost, out: outHost });
  return closeness(got, want, TOL);
}

const LAYOUTS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
];

function fits(variant: string, c: Case): boolean {
  const { M, N, K } = c.dims;
  const o = c.opts ?? {};
  const p = {
    M, N, K, batch: c.dims.batch ?? 1, transA: !!o.transA, transB: !!o.transB,
    sA: o.strideA ?? M * K, sB: o.strideB ?? K * N, sO: o.strideOut ?? M * N, f16: false,
  };
  return variantUnfitness(variantNamed(variant), p) === null;
}

describe('matmul on Dawn, every variant', () => {
  for (const variant of MATMUL_VARIANTS) {
    const vec4 = variant.startsWith('reg4');
    // Shapes that are not multiples of any tile; vec4 variants need multiples of 4 on the contiguous dims.
    const odd = vec4 ? { M: 36, N: 44, K: 28 } : { M: 37, N: 45, K: 29 };
    const cases: [string, Case][] = [];
    for (const l of LAYOUTS) cases.push([`${l.transA ? 'At' : 'A'}.${l.transB ? 'Bt' : 'B'} ${odd.M}x${odd.N}x${odd.K}`, { dims: odd, opts: l }]);
    const tiny: MatmulDims[] = vec4
      ? [{ M: 1, N: 4, K: 8 }, { M: 5, N: 4, K: 4 }, { M: 3, N: 8, K: 4 }]
      : [{ M: 1, N: 5, K: 7 }, { M: 6, N: 1, K: 9 }, { M: 5, N: 7, K: 1 }, { M: 1, N: 1, K: 1 }];
    for (const d of tiny) cases.push([`M/N/K ${d.M}x${d.N}x${d.K}`, { dims: d }]);
    if (!vec4) cases.push(['M=1 with A^T', { dims: { M: 1, N: 6, K: 5 }, opts: { transA: true } }]);
    cases.push(['N=1 with B^T', { dims: { M: 8, N: 1, K: 12 }, opts: { transB: true } }]);
    cases.push(['batch 3, alpha 0.5, over old out', { dims: { M: 20, N: 12, K: 16, batch: 3 }, opts: { alpha: 0.5 }}]);
    cases.push(['batch 3 accumulate, A^T', { dims: { M: 20, N: 12, K: 16, batch: 3 }, opts: { transA: true, accumulate: true, alpha: -2 } }]);
    cases.push(['broadcast B over batch (strideB 0), B^T', { dims: { M: 12, N: 20, K: 24, batch: 4 }, opts: { transB: true, strideB: 0 } }]);
    cases.push(['broadcast A over batch (strideA 0)', { dims: { M: 12, N: 20, K: 24, batch: 2 }, opts: { strideA: 0 } }]);
    cases.push(['residual add, batch 2', { dims: { M: 16, N: 24, K: 20, batch: 2 }, opts: { alpha: 0.25 }, residual: true }]);
    cases.push(['strided out (padding between batches)', { dims: { M: 8, N: 8, K: 8, batch: 2 }, opts: { strideOut: 80 } }]);

    describe(variant, () => {
      cases.forEach(([name, c], i) => {
        if (!fits(variant, c)) return;
        it(name, async () => {
          expect(await check(await testGpu(), variant, c, 100 + i)).toBeNull();
        });
      });
    });
  }
});

describe('matmul chunking under a binding limit', () => {
  const variants = ['reg-4x4', 'reg4-4x4', 'tiled-64x64'];
  const cases: [string, Case][] = [
    ['A.B', { dims: { M: 200, N: 150, K: 132 } }],
    ['A.B^T with residual', { dims: { M: 130, N: 200, K: 132 }, opts: { transB: true, alpha: 0.5 }, residual: true }],
    ['A^T.B accumulate (K split)', { dims: { M: 136, N: 72, K: 260 }, opts: { transA: true, accumulate: true } }],
    ['batched, broadcast B', { dims: { M: 96, N: 100, K: 68, batch: 3 }, opts: { transB: true, strideB: 0 } }],
  ];
  for (const variant of variants) {
    cases.forEach(([name, c], i) => {
      if (!fits(variant, c)) return;
      it(`${variant}: ${name}`, async () => {
        const limited: Case = { ...c, opts: { ...c.opts, maxBindingBytes: 40_000 } as Case['opts'] };
        expect(await check(await testGpu(), variant, limited, 300 + i)).toBeNull();
      });
    });
  }
});

describe('matmul input checks', () => {
  it('names the tensor and shapes when an operand is too small', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([10], 'f32', 'scratch', 'small-a');
    const b = gpu.tensor([20], 'f32', 'scratch', 'b');
    const out = gpu.tensor([8], 'f32', 'scratch', 'out');
    expect(() => matmul(gpu, out, a, b, { M: 2, N: 4, K: 6 })).toThrow(/matmul: a "small-a" \(10\) has 10 elements, needs 12 for \(batch 1, 2, 6\) with stride 12/);
    expect(() => matmul(gpu, out, a, b, { M: 2, N: 4, K: 5 }, { residual: out })).toThrow(/output out shares a buffer with residual "out" \(8\) \(use accumulate/);
    expect(() => matmul(gpu, out, a, b, { M: 0, N: 4, K: 5 })).toThrow(/matmul: M must be an integer >= 1, got 0/);
    expect(() => matmul(gpu, out, a, b, { M: 2, N: 4, K: 5 }, { strideA: -1 })).toThrow(/matmul: strideA must be an integer >= 0, got -1/);
    expect(() => matmul(gpu, out, a, b, { M: 2, N: 2, K: 5 }, { variant: 'nope' })).toThrow(/unknown variant/);
    expect(() => matmul(gpu, out, a, b, { M: 2, N: 2, K: 5 }, { variant: 'reg4-4x4' })).toThrow(/multiples of 4/);
    gpu.free(a, b, out);
  });

  it('f16 operands (skipped without shader-f16)', async (ctx) => {
    const gpu = await testGpu();
    if (!gpu.info.f16) ctx.skip();
    const { toF16, fromF16 } = await import('./matmul-f16.testing');
    const dims = { M: 33, N: 19, K: 40, batch: 2 };
    const aHost = randomFloats(2 * 33 * 40, 7);
    const bHost = randomFloats(40 * 19, 8);
    const aBits = toF16(aHost);
    const bBits = toF16(bHost);
    for (const variant of MATMUL_VARIANTS.filter((v) => !v.startsWith('reg4'))) {
      for (const l of LAYOUTS) {
        const a = gpu.upload(aBits, [aBits.length], 'f16', 'scratch', 'a16');
        const b = gpu.upload(bBits, [bBits.length], 'f16', 'scratch', 'b16');
        const out = gpu.tensor([2 * 33 * 19], 'f32', 'scratch', 'out');
        matmul(gpu, out, a, b, dims, { ...l, strideB: 0, variant });
        const got = await gpu.readF32(out);
        gpu.free(a, b, out);
        const want = matmulRef(fromF16(aBits), fromF16(bBits), dims, { ...l, strideB: 0 });
        expect(closeness(got, want, { rtol: 2e-3, atol: 2e-2 }), `${variant} ${JSON.stringify(l)}`).toBeNull();
      }
    }
  });
});

describe('matmul with dropout fused into a load or the store', () => {
  const p = 0.3;
  const sites = ['a', 'b', 'out'] as const;
  for (const variant of MATMUL_VARIANTS) {
    const dims = variant.startsWith('reg4') ? { M: 12, N: 20, K: 16 } : { M: 13, N: 21, K: 11 };
    sites.forEach((operand, s) => {
      for (const l of [LAYOUTS[s], LAYOUTS[3 - s]]) {
        it(`${variant}: ${operand} dropped, ${l.transA ? 'At' : 'A'}.${l.transB ? 'Bt' : 'B'}, accumulate`, async () => {
          const gpu = await testGpu();
          const dropout = { operand, p, seed: 2 ** 40 + 17, stream: 1_000_123 };
          const c: Case = { dims, opts: { ...l, accumulate: true, alpha: 0.75, dropout } };
          expect(await check(gpu, variant, c, 500 + s)).toBeNull();
          // Bit for bit the unfused path: the dropout kernel on the operand (or on the product), then the matmul.
          const aHost = randomFloats(dims.M * dims.K, 1);
          const bHost = randomFloats(dims.K * dims.N, 2);
          const outHost = randomFloats(dims.M * dims.N, 3);
          const up = (x: Float32Array, name: string) => gpu.upload(x, [x.length], 'f32', 'scratch', name);
          const [a, b, fused] = [up(aHost, 'a'), up(bHost, 'b'), up(outHost, 'fused')];
          matmul(gpu, fused, a, b, dims, { ...l, accumulate: true, alpha: 0.75, dropout, variant });
          const o = { p, seed: dropout.seed, stream: dropout.stream };
          const plain = up(outHost, 'plain');
          if (operand === 'out') {
            const y = gpu.tensor([dims.M * dims.N], 'f32', 'scratch', 'y');
            matmul(gpu, y, a, b, dims, { ...l, alpha: 0.75, variant });
            dropoutForward(gpu, y, y, dims.M * dims.N, o);
            axpy(gpu, plain, y, 1, dims.M * dims.N);
            gpu.free(y);
          } else {
            const x = operand === 'a' ? a : b;
            dropoutForward(gpu, x, x, operand === 'a' ? aHost.length : bHost.length, o);
            matmul(gpu, plain, a, b, dims, { ...l, accumulate: true, alpha: 0.75, variant });
          }
          const [got, want] = [await gpu.readF32(fused), await gpu.readF32(plain)];
          gpu.free(a, b, fused, plain);
          expect(Array.from(got)).toEqual(Array.from(want));
        });
      }
    });
  }

  it('refuses what it cannot mask (batched, chunked, bad p)', async () => {
    const gpu = await testGpu();
    const t = gpu.tensor([64 * 64], 'f32', 'scratch', 't');
    const out = gpu.tensor([64 * 64], 'f32', 'scratch', 'out');
    const dropout = { operand: 'a' as const, p: 0.1, seed: 1, stream: 2 };
    expect(() => matmul(gpu, out, t, t, { M: 8, N: 8, K: 8, batch: 2 }, { dropout })).toThrow(/fused dropout runs on batch 1 only/);
    expect(() => matmul(gpu, out, t, t, { M: 64, N: 64, K: 64 }, { dropout, maxBindingBytes: 4096 })).toThrow(/operands bound whole/);
    expect(() => matmul(gpu, out, t, t, { M: 8, N: 8, K: 8 }, { dropout: { ...dropout, p: 1 } })).toThrow(/p must be in \[0, 1\)/);
    gpu.free(t, out);
  });
});

describe('matmul with a second product in the store (LoRA beside its base weight)', () => {
  const M = 12, N = 20, K = 16, K2 = 8; // A2.B2^T reads four k at a time, A2^T.B2 one
  const cases: [string, MatmulOptions['dropout'] | undefined, boolean][] = [
    ['plain, accumulate', undefined, true],
    ['second product dropped out', { operand: 'second', p: 0.3, seed: 9, stream: 44 }, true],
    ['sum dropped out, then the residual', { operand: 'out', p: 0.3, seed: 9, stream: 45 }, false],
  ];
  for (const variant of ['reg-4x4', 'reg4-4x4', 'tiled-32x32']) {
    cases.forEach(([name, dropout, accumulate], i) => {
      for (const t of [{ transA: false, transB: true }, { transA: true, transB: false }]) {
        it(`${variant}: ${name}, A2 ${t.transA ? 't' : 'n'} B2 ${t.transB ? 't' : 'n'}`, async () => {
          const gpu = await testGpu();
          const h = [randomFloats(M * K, 1), randomFloats(K * N, 2), randomFloats(M * N, 3), randomFloats(M * K2, 4), randomFloats(K2 * N, 5), randomFloats(M * N, 6)];
          const [a, b, out, a2, b2, res] = h.map((x, j) => gpu.upload(x, [x.length], 'f32', 'scratch', `t${j}`));
          const second = { a: a2, b: b2, K: K2, ...t, alpha: 2.5 };
          const opts = { alpha: 0.5, dropout, accumulate, residual: accumulate ? undefined : res };
          matmul(gpu, out, a, b, { M, N, K }, { ...opts, second, variant });
          const got = await gpu.readF32(out);
          gpu.free(a, b, out, a2, b2, res);
          const want = matmulRef(h[0], h[1], { M, N, K }, { ...opts, residual: accumulate ? undefined : h[5], out: h[2], second: { ...second, a: h[3], b: h[4] } });
          expect(closeness(got, want, TOL), `case ${i}`).toBeNull();
        });
      }
    });
  }

  it('refuses a second product it cannot run', async () => {
    const gpu = await testGpu();
    const t = gpu.tensor([64], 'f32', 'scratch', 't');
    const out = gpu.tensor([64], 'f32', 'scratch', 'out');
    expect(() => matmul(gpu, out, t, t, { M: 4, N: 4, K: 4 }, { second: { a: t, b: out, K: 2 } })).toThrow(/shares a buffer/);
    expect(() => matmul(gpu, out, t, t, { M: 4, N: 4, K: 4 }, { second: { a: t, b: t, K: 40 } })).toThrow(/a2 "t" \(64\) has 64 elements, needs 160/);
    expect(() => matmul(gpu, out, t, t, { M: 4, N: 4, K: 4 }, { dropout: { operand: 'second', p: 0.1, seed: 1, stream: 1 } })).toThrow(/needs opts.second/);
    gpu.free(t, out);
  });
});
