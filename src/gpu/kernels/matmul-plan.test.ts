import { describe, expect, it } from 'vitest';
import { operandSpan, planChunks, type OperandLayout, type PlanInput } from './matmul-plan';

const MiB = 1024 * 1024;

function lmHeadForward(limit: number): PlanInput {
  // logits (1024, 32128) = hidden (1024, 768) . W^T, W (32128, 768)
  const M = 1024, N = 32128, K = 768;
  const ops: OperandLayout[] = [
    { name: 'out', rowDim: 'm', colDim: 'n', ld: N, stride: M * N, bytesPer: 4, fitsWhole: M * N * 4 <= limit },
    { name: 'a', rowDim: 'm', colDim: 'k', ld: K, stride: M * K, bytesPer: 4, fitsWhole: M * K * 4 <= limit },
    { name: 'b', rowDim: 'n', colDim: 'k', ld: K, stride: N * K, bytesPer: 4, fitsWhole: N * K * 4 <= limit },
  ];
  return { sizes: { b: 1, m: M, n: N, k: K }, operands: ops, maxBindingBytes: limit, offsetAlignBytes: 256, tile: { tm: 32, tn: 32 }, maxWorkgroups: 65535 };
}

/** Every (b, m, n, k) cell is covered exactly once. */
function coverage(p: PlanInput): number {
  const { b, m, n, k } = p.sizes;
  const seen = new Uint8Array(b * m * n * k);
  for (const c of planChunks(p)) {
    const r = c.ranges;
    for (let z = r.b.start; z < r.b.start + r.b.size; z++)
      for (let i = r.m.start; i < r.m.start + r.m.size; i++)
        for (let j = r.n.start; j < r.n.start + r.n.size; j++)
          for (let l = r.k.start; l < r.k.start + r.k.size; l++) seen[((z * m + i) * n + j) * k + l]++;
  }
  return seen.every((x) => x === 1) ? 1 : 0;
}

describe('matmul chunk planning', () => {
  it('does not split what fits', () => {
    expect(planChunks(lmHeadForward(1024 * MiB))).toHaveLength(1);
  });

  it('splits the 131.6 MB logits into row chunks under a 100 MiB binding limit', () => {
    const p = lmHeadForward(100 * MiB);
    const chunks = planChunks(p);
    expect(chunks.length).toBe(2);
    expect(chunks.every((c) => c.ranges.n.size === 32128 && c.ranges.k.size === 768)).toBe(true);
    for (const c of chunks) {
      const sizes = { b: 1, m: c.ranges.m.size, n: c.ranges.n.size, k: c.ranges.k.size };
      expect(operandSpan(p.operands[0], sizes) * 4 + 256).toBeLessThanOrEqual(100 * MiB);
    }
  });

  it('splits K (later chunks accumulate) when only the K extent is too long', () => {
    // dW (8, 8) += dout^T (K=4096 rows, 8) . inp (4096, 8): A^T stored (K, M).
    const p: PlanInput = {
      sizes: { b: 1, m: 8, n: 8, k: 4096 },
      operands: [
        { name: 'out', rowDim: 'm', colDim: 'n', ld: 8, stride: 64, bytesPer: 4, fitsWhole: true },
        { name: 'a', rowDim: 'k', colDim: 'm', ld: 8, stride: 0, bytesPer: 4, fitsWhole: false },
        { name: 'b', rowDim: 'k', colDim: 'n', ld: 8, stride: 0, bytesPer: 4, fitsWhole: false },
      ],
      maxBindingBytes: 4096 + 256,
      offsetAlignBytes: 256,
      tile: { tm: 32, tn: 32 },
      maxWorkgroups: 65535,
    };
    const chunks = planChunks(p);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.filter((c) => c.firstK)).toHaveLength(1);
    expect(coverage(p)).toBe(1);
  });

  it('covers every cell once with a tiny limit and a batch', () => {
    const p: PlanInput = {
      sizes: { b: 3, m: 37, n: 21, k: 18 },
      operands: [
        { name: 'out', rowDim: 'm', colDim: 'n', ld: 21, stride: 37 * 21, bytesPer: 4, fitsWhole: false },
        { name: 'a', rowDim: 'm', colDim: 'k', ld: 18, stride: 37 * 18, bytesPer: 4, fitsWhole: false },
        { name: 'b', rowDim: 'n', colDim: 'k', ld: 18, stride: 0, bytesPer: 4, fitsWhole: false },
      ],
      maxBindingBytes: 1024,
      offsetAlignBytes: 256,
      tile: { tm: 32, tn: 32 },
      maxWorkgroups: 65535,
    };
    expect(planChunks(p).length).toBeGreaterThan(3);
    expect(coverage(p)).toBe(1);
  });

  it('splits to respect the workgroup-count limit', () => {
    const p = lmHeadForward(1024 * MiB);
    p.maxWorkgroups = 200;
    const chunks = planChunks(p);
    for (const c of chunks) expect(Math.ceil(c.ranges.n.size / 32)).toBeLessThanOrEqual(200);
  });

  it('throws, naming the sizes, when no split can fit', () => {
    const p = lmHeadForward(1000);
    expect(() => planChunks(p)).toThrow(/cannot be split to fit a 1000-byte binding limit/);
  });
});
