import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dot, numericGradient, randomDoubles } from '../../testing/finite-diff';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import { hasTorch, PYTHON } from '../../testing/python';
import { positionBiasBackward, positionBiasForward, relativePositionBucket, relativePositionBuckets } from './position-bias';
import { positionBiasBackwardRef, positionBiasForwardRef, relativePositionBucketExact } from './position-bias.ref';

const DISTANCES = Array.from({ length: 2001 }, (_, i) => i - 1000);

describe('relative position buckets (CPU)', () => {
  it('T5 (32, 128): HF float32 buckets equal exact integer maths at every distance 0..1000, both directions and modes', () => {
    for (const bidirectional of [true, false]) {
      for (const r of DISTANCES) {
        expect([r, relativePositionBucket(r, bidirectional, 32, 128)]).toEqual([r, relativePositionBucketExact(r, bidirectional, 32, 128)]);
      }
    }
  });

  it('lands on the documented buckets', () => {
    // Encoder: 8 exact per direction, 16, 32, 64 land exactly on 10, 12, 14; keys after the query get +16.
    expect([0, -1, -7, -8, -15, -16, -31, -32, -64, -127, -128, -1000].map((r) => relativePositionBucket(r, true, 32, 128))).toEqual([
      0, 1, 7, 8, 9, 10, 11, 12, 14, 15, 15, 15,
    ]);
    expect([1, 7, 16, 32, 64, 128].map((r) => relativePositionBucket(r, true, 32, 128))).toEqual([17, 23, 26, 28, 30, 31]);
    // Decoder: the future is bucket 0; 16 exact past buckets, then log-spaced up to 31.
    expect([5, 1, 0, -1, -15, -16, -127, -128, -1000].map((r) => relativePositionBucket(r, false, 32, 128))).toEqual([0, 0, 0, 1, 15, 16, 31, 31, 31]);
  });

  it('builds the (Tq,Tk) table as key - (queryOffset + query), for cached decoding too', () => {
    const full = relativePositionBuckets({ queryLength: 6, keyLength: 6, bidirectional: false, numBuckets: 32, maxDistance: 128 });
    for (let q = 0; q < 6; q++) for (let k = 0; k < 6; k++) expect(full[q * 6 + k]).toBe(relativePositionBucket(k - q, false, 32, 128));
    // One new query at position 5 over 6 keys is the last row of the full table.
    const step = relativePositionBuckets({ queryLength: 1, keyLength: 6, bidirectional: false, numBuckets: 32, maxDistance: 128, queryOffset: 5 });
    expect(Array.from(step)).toEqual(Array.from(full.slice(30, 36)));
    const enc = relativePositionBuckets({ queryLength: 3, keyLength: 200, bidirectional: true, numBuckets: 32, maxDistance: 128 });
    expect(enc[2 * 200 + 199]).toBe(relativePositionBucketExact(197, true, 32, 128));
    expect(relativePositionBuckets({ queryLength: 0, keyLength: 4, bidirectional: true, numBuckets: 32, maxDistance: 128 }).length).toBe(0);
  });

  it('rejects configurations HF cannot bucket', () => {
    expect(() => relativePositionBuckets({ queryLength: 2, keyLength: 2, bidirectional: true, numBuckets: 2, maxDistance: 128 })).toThrow(/numBuckets 2 is too small/);
    expect(() => relativePositionBuckets({ queryLength: 2, keyLength: 2, bidirectional: false, numBuckets: 32, maxDistance: 16 })).toThrow(/maxDistance 16/);
    expect(() => relativePositionBuckets({ queryLength: -1, keyLength: 2, bidirectional: false, numBuckets: 32, maxDistance: 128 })).toThrow(/queryLength/);
  });

  // PyTorch running HF's _relative_position_bucket (float32 log, truncation), when Debian's python3-torch is here.
  it.skipIf(!hasTorch)('equals PyTorch running HF\'s bucket function over a sweep of configs, distances -1000..1000', () => {
    // T5's own config, others, and configs where exact maths and HF's float32 disagree.
    const configs: [boolean, number, number][] = [];
    for (const bi of [true, false]) for (const [nb, md] of [[32, 128], [64, 256], [16, 64], [32, 100], [92, 164], [96, 81], [46, 164], [72, 100]]) configs.push([bi, nb, md]);
    const script = `
import json, math, sys, torch
def bucket(rp, bidirectional, num_buckets, max_distance):
    out = torch.zeros_like(rp)
    if bidirectional:
        num_buckets //= 2
        out += (rp > 0).to(torch.long) * num_buckets
        rp = torch.abs(rp)
    else:
        rp = -torch.min(rp, torch.zeros_like(rp))
    max_exact = num_buckets // 2
    large = max_exact + (torch.log(rp.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return out + torch.where(rp < max_exact, rp, large)
rp = torch.arange(-1000, 1001)
print(json.dumps([bucket(rp, bi, nb, md).tolist() for bi, nb, md in json.loads(sys.argv[1])]))
`;
    const run = spawnSync(PYTHON, ['-c', script, JSON.stringify(configs)], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const torchBuckets = JSON.parse(run.stdout) as number[][];
    let exactDiffers = 0;
    configs.forEach(([bi, nb, md], c) => {
      const ours = DISTANCES.map((r) => relativePositionBucket(r, bi, nb, md));
      expect([bi, nb, md, ours]).toEqual([bi, nb, md, torchBuckets[c]]);
      if (DISTANCES.some((r, i) => relativePositionBucketExact(r, bi, nb, md) !== torchBuckets[c][i])) exactDiffers++;
    });
    // Documents why the table follows HF's float32 steps rather than exact maths.
    expect(exactDiffers).toBeGreaterThan(0);
  });
});

describe('position bias CPU reference', () => {
  it('backward matches central differences of the forward', () => {
    const [Tq, Tk, NH, NB] = [3, 4, 2, 8];
    const buckets = relativePositionBuckets({ queryLength: Tq, keyLength: Tk, bidirectional: true, numBuckets: NB, maxDistance: 16 });
    const table = randomDoubles(NB * NH, 1);
    const dbias = randomDoubles(NH * Tq * Tk, 2);
    const numeric = numericGradient((t) => dot(positionBiasForwardRef(buckets, t, Tq, Tk, NH), dbias), table);
    expect(closeness(positionBiasBackwardRef(dbias, buckets, Tq, Tk, NH, NB), numeric, { rtol: 1e-8, atol: 1e-10 })).toBeNull();
  });
});

describe('position bias kernels on Dawn', () => {
  // Shapes with several chunks of 64 diagonals (17x300, 40x40, 70x3) and more buckets than invocations (NB 130).
  for (const [Tq, Tk, NH, bidirectional, NB] of [[1, 1, 1, true, 32], [1, 9, 3, false, 32], [7, 7, 2, true, 32], [17, 300, 3, true, 32], [40, 40, 8, false, 32], [70, 3, 2, true, 32], [90, 90, 2, true, 130]] as const) {
    it(`forward gathers and backward accumulates (+=) at Tq=${Tq}, Tk=${Tk}, NH=${NH}, ${bidirectional ? 'encoder' : 'decoder'}, ${NB} buckets`, async () => {
      const gpu = await testGpu();
      const buckets = relativePositionBuckets({ queryLength: Tq, keyLength: Tk, bidirectional, numBuckets: NB, maxDistance: NB === 32 ? 128 : 400 });
      const table = randomFloats(NB * NH, Tq + Tk);
      const dbias = randomFloats(NH * Tq * Tk, NH);
      const before = randomFloats(NB * NH, 5);
      const tBuckets = gpu.upload(buckets, [Tq, Tk], 'u32', 'scratch', 'buckets');
      const tTable = gpu.upload(table, [NB, NH], 'f32', 'weights', 'table');
      const tDbias = gpu.upload(dbias, [NH, Tq, Tk], 'f32', 'scratch', 'dbias');
      const out = gpu.tensor([NH, Tq, Tk], 'f32', 'activations', 'bias');
      const dtable = gpu.upload(before, [NB, NH], 'f32', 'grads', 'dtable');
      positionBiasForward(gpu, out, tBuckets, tTable, Tq, Tk, NH, NB);
      positionBiasBackward(gpu, dtable, tDbias, tBuckets, Tq, Tk, NH, NB);
      const gotOut = await gpu.readF32(out);
      const gotD = await gpu.readF32(dtable);
      gpu.free(tBuckets, tTable, tDbias, out, dtable);
      expect(closeness(gotOut, positionBiasForwardRef(buckets, table, Tq, Tk, NH), { rtol: 0, atol: 0 })).toBeNull();
      const want = positionBiasBackwardRef(dbias, buckets, Tq, Tk, NH, NB).map((v, i) => v + before[i]);
      expect(closeness(gotD, want, { rtol: 1e-5, atol: 1e-5 })).toBeNull();
    });
  }

  it('backward keeps a NaN in its own bucket', async () => {
    const gpu = await testGpu();
    const [Tq, Tk, NH, NB] = [4, 4, 1, 32];
    const buckets = relativePositionBuckets({ queryLength: Tq, keyLength: Tk, bidirectional: true, numBuckets: NB, maxDistance: 128 });
    const dbias = new Float32Array(Tq * Tk).fill(1);
    dbias[1] = NaN; // (q 0, k 1): relative +1, bucket 17
    const tBuckets = gpu.upload(buckets, [Tq, Tk], 'u32', 'scratch', 'buckets');
    const tDbias = gpu.upload(dbias, [NH, Tq, Tk], 'f32', 'scratch', 'dbias');
    const dtable = gpu.tensor([NB, NH], 'f32', 'grads', 'dtable');
    gpu.zero(dtable);
    positionBiasBackward(gpu, dtable, tDbias, tBuckets, Tq, Tk, NH, NB);
    const got = await gpu.readF32(dtable);
    gpu.free(tBuckets, tDbias, dtable);
    expect(closeness(got, positionBiasBackwardRef(dbias, buckets, Tq, Tk, NH, NB), { rtol: 0, atol: 0 })).toBeNull();
    expect(Number.isNaN(got[17])).toBe(true);
    expect(got[0]).toBe(4);
  });

  it('rejects wrong shapes naming the tensor', async () => {
    const gpu = await testGpu();
    const buckets = gpu.tensor([2, 3], 'u32', 'scratch', 'buckets');
    const table = gpu.tensor([32, 4], 'f32', 'scratch', 'table');
    const out = gpu.tensor([4, 2, 3], 'f32', 'scratch', 'out');
    expect(() => positionBiasForward(gpu, out, buckets, table, 2, 3, 4, 16)).toThrow(/table has 128 elements, expected \(numBuckets,NH\) = \(16,4\) = 64/);
    expect(() => positionBiasForward(gpu, out, table, table, 2, 3, 4, 32)).toThrow(/buckets must be u32, got f32/);
    gpu.free(buckets, table, out);
  });
});
