import { beforeAll, describe, expect, it } from 'vitest';
import { closeness, randomFloats, testGpu } from '../../testing/gpu';
import type { Gpu } from '../gpu';
import type { Tensor } from '../tensor';
import { countTargets, crossEntropy, crossEntropyChunkRows, meanLoss, type CrossEntropyVariant, type SplitGradScale } from './cross-entropy';
import { crossEntropyRef } from './cross-entropy.ref';

const LOSS_TOL = { rtol: 1e-5, atol: 1e-6 };
const gradTol = (scale: number | SplitGradScale) => ({ rtol: 1e-5, atol: 1e-7 * (typeof scale === 'number' ? Math.abs(scale) : Math.max(Math.abs(scale.first), Math.abs(scale.rest))) });

/** Seeded targets in [0, V) with every `ignoreEvery`-th row -100. */
function targetsFor(N: number, V: number, seed: number, ignoreEvery = 0): Int32Array {
  const r = randomFloats(N, seed, 0, 1);
  return Int32Array.from(r, (x, i) => (ignoreEvery && i % ignoreEvery === ignoreEvery - 1 ? -100 : Math.floor(x * V)));
}

type Mode = 'in-place' | 'separate' | 'eval';

/** The form the GPU describes below run (set per describe block); undefined = the default choice. */
let form: CrossEntropyVariant | undefined;

async function run(
  gpu: Gpu,
  logits: Float32Array,
  targets: Int32Array,
  N: number,
  V: number,
  scale: number | SplitGradScale,
  mode: Mode,
  opts: { maxBindingBytes?: number } = {},
): Promise<{ losses: Float32Array; dlogits: Float32Array | null; logitsAfter: Float32Array }> {
  const tl = gpu.upload(logits, [N, V], 'f32', 'activations', 'logits');
  const tt = gpu.upload(targets, [N], 'i32', 'activations', 'targets');
  const losses = gpu.tensor([N], 'f32', 'activations', 'losses');
  const dl: Tensor | null = mode === 'separate' ? gpu.tensor([N, V], 'f32', 'grads', 'dlogits') : mode === 'in-place' ? tl : null;
  crossEntropy(gpu, losses, dl, tl, tt, N, V, scale, { variant: form, ...opts });
  const out = {
    losses: await gpu.readF32(losses),
    dlogits: dl ? await gpu.readF32(dl) : null,
    logitsAfter: await gpu.readF32(tl),
  };
  gpu.free(tl, tt, losses, mode === 'separate' ? dl : null);
  return out;
}

async function expectMatches(N: number, V: number, logits: Float32Array, targets: Int32Array, scale: number | SplitGradScale, mode: Mode, opts = {}) {
  const gpu = await testGpu();
  const got = await run(gpu, logits, targets, N, V, scale, mode, opts);
  const want = crossEntropyRef(logits, targets, N, V, scale);
  expect(closeness(got.losses, want.losses, LOSS_TOL), 'losses').toBeNull();
  if (mode === 'eval') expect(got.dlogits).toBeNull();
  else expect(closeness(got.dlogits!, want.dlogits, gradTol(scale)), 'dlogits').toBeNull();
  if (mode !== 'in-place') expect(Array.from(got.logitsAfter)).toEqual(Array.from(logits));
  return got;
}

describe('cross-entropy reference', () => {
  it('has gradients equal to finite differences of gradScale * sum(losses)', () => {
    const N = 4;
    const V = 7;
    const logits = Float64Array.from(randomFloats(N * V, 31, -3, 3));
    const targets = [2, -100, 6, 0];
    const scale = 0.37;
    const { dlogits } = crossEntropyRef(logits, targets, N, V, scale);
    const total = (x: Float64Array) => crossEntropyRef(x, targets, N, V, scale).losses.reduce((a, b) => a + b, 0) * scale;
    const h = 1e-6;
    for (let k = 0; k < N * V; k++) {
      const plus = Float64Array.from(logits);
      const minus = Float64Array.from(logits);
      plus[k] += h;
      minus[k] -= h;
      expect(dlogits[k]).toBeCloseTo((total(plus) - total(minus)) / (2 * h), 7);
    }
  });

  it('counts targets and averages losses as HF does', () => {
    expect(countTargets([1, -100, 5, -100])).toBe(2);
    expect(meanLoss([2, 0, 4, 0], [1, -100, 5, -100])).toBe(3);
    expect(Number.isNaN(meanLoss([0, 0], [-100, -100]))).toBe(true);
  });
});

// Every form of the kernel against the same reference and tolerances.
const hasSubgroups = (await testGpu()).info.subgroups;
for (const variant of [undefined, 'workgroup', 'subgroup', 'serial'] as const) describe.skipIf(variant === 'subgroup' && !hasSubgroups)(`cross-entropy on Dawn (${variant ?? 'default'} form)`, () => {
  beforeAll(() => {
    form = variant;
  });

  it('N = 1, V = 1: zero loss and gradient', async () => {
    await expectMatches(1, 1, new Float32Array([3.5]), new Int32Array([0]), 1, 'in-place');
  });

  for (const mode of ['in-place', 'separate', 'eval'] as const) {
    it(`matches the reference ${mode}, sizes off the workgroup size, with ignored rows`, async () => {
      const N = 9;
      const V = 300;
      await expectMatches(N, V, randomFloats(N * V, 41, -4, 4), targetsFor(N, V, 42, 4), 1 / 7, mode);
    });
  }

  it('scales the rows before a split by one factor and the rest by another (two tasks in one pass)', async () => {
    const N = 9;
    const V = 64;
    const split = { rows: 4, first: 0.5 / 3, rest: -0.25 / 5 };
    const got = await expectMatches(N, V, randomFloats(N * V, 43, -4, 4), targetsFor(N, V, 44, 3), split, 'in-place');
    // Also across chunk boundaries: the split is by global row, not by row within a dispatch.
    const chunked = await expectMatches(N, V, randomFloats(N * V, 43, -4, 4), targetsFor(N, V, 44, 3), split, 'separate', { maxBindingBytes: 3 * V * 4 });
    expect(Array.from(chunked.dlogits!)).toEqual(Array.from(got.dlogits!));
  });

  it('handles a 32128-wide vocabulary row (T5) with T = 1 and with 3 rows', async () => {
    const V = 32128;
    await expectMatches(1, V, randomFloats(V, 51, -10, 10), new Int32Array([32127]), 1, 'in-place');
    await expectMatches(3, V, randomFloats(3 * V, 52, -10, 10), new Int32Array([0, 17, 32000]), 0.25, 'separate');
  });

  it('gives zero losses and zero gradients when every target is -100', async () => {
    const gpu = await testGpu();
    const got = await run(gpu, randomFloats(4 * 50, 61), new Int32Array(4).fill(-100), 4, 50, 1, 'in-place');
    expect(Array.from(got.losses)).toEqual([0, 0, 0, 0]);
    expect(got.dlogits!.every((v) => v === 0)).toBe(true);
  });

  it('survives overflowing and underflowing logits (1e30, -1e30 mixed with normal values)', async () => {
    const V = 6;
    const logits = new Float32Array([
      ...[1e30, 0.5, -1, 2, 0, 1], // the huge logit is the target: loss 0
      ...[1e30, 0.5, -1, 2, 0, 1], // a normal target under a huge logit: loss ~1e30
      ...[-1e30, -1e30, 3, -1e30, 0.25, -1e30], // underflowing exps
      ...[-1e30, -1e30, -1e30, -1e30, -1e30, -1e30], // all equal and tiny: uniform softmax
      ...[1e30, -1e30, 1e30, 0, 0, 0], // two huge logits share the mass
    ]);
    const got = await expectMatches(5, V, logits, new Int32Array([0, 3, 0, 4, 2]), 0.5, 'in-place');
    expect(got.losses[0]).toBe(0);
    expect(got.losses[1]).toBeGreaterThan(9e29);
    expect(got.losses[3]).toBeCloseTo(Math.log(6), 5);
    expect(got.losses[4]).toBeCloseTo(Math.log(2), 5);
  });

  it('makes a row with a NaN or +inf logit NaN (loss and gradient) and leaves other rows alone', async () => {
    const gpu = await testGpu();
    const V = 5;
    const logits = new Float32Array([0, 1, NaN, 2, 3, 0, 1, 2, 3, 4, 0, Infinity, 1, 1, 1]);
    const got = await run(gpu, logits, new Int32Array([1, 1, 0]), 3, V, 1, 'in-place');
    expect(Number.isNaN(got.losses[0])).toBe(true);
    expect(Number.isNaN(got.losses[2])).toBe(true);
    expect(got.dlogits!.slice(0, V).every(Number.isNaN)).toBe(true);
    expect(got.dlogits!.slice(2 * V).every(Number.isNaN)).toBe(true);
    const want = crossEntropyRef(logits.slice(V, 2 * V), [1], 1, V, 1);
    expect(closeness(got.losses.slice(1, 2), want.losses, LOSS_TOL)).toBeNull();
    expect(closeness(got.dlogits!.slice(V, 2 * V), want.dlogits, gradTol(1))).toBeNull();
  });

  it('gives -inf logits probability 0 and makes an out-of-range target NaN', async () => {
    const gpu = await testGpu();
    const logits = new Float32Array([-Infinity, 1, 2, -Infinity, 0, 1, 2, 3]);
    const got = await run(gpu, logits, new Int32Array([1, 4]), 2, 4, 1, 'in-place');
    const want = crossEntropyRef(logits.slice(0, 4), [1], 1, 4, 1);
    expect(closeness(got.losses.slice(0, 1), want.losses, LOSS_TOL)).toBeNull();
    expect(closeness(got.dlogits!.slice(0, 4), want.dlogits, gradTol(1))).toBeNull();
    expect(Number.isNaN(got.losses[1])).toBe(true);
  });

  it('splits rows across dispatches under a small binding limit and gives the same answer', async () => {
    // V = 64: every row starts aligned, so 2-row chunks; V = 100: 16-row steps keep chunks on 256-byte offsets.
    await expectMatches(7, 64, randomFloats(7 * 64, 71, -5, 5), targetsFor(7, 64, 72, 3), 0.1, 'in-place', { maxBindingBytes: 2 * 64 * 4 });
    await expectMatches(37, 100, randomFloats(37 * 100, 73, -5, 5), targetsFor(37, 100, 74, 5), 0.1, 'separate', { maxBindingBytes: 16 * 400 });
    await expectMatches(3, 32128, randomFloats(3 * 32128, 75, -5, 5), new Int32Array([5, -100, 32127]), 1, 'eval', {
      maxBindingBytes: 32128 * 4,
    });
    expect(crossEntropyChunkRows(37, 100, 16 * 400, 64)).toBe(16);
    expect(crossEntropyChunkRows(3, 32128, 32128 * 4, 64)).toBe(1);
    expect(() => crossEntropyChunkRows(37, 100, 15 * 400, 64)).toThrow(/16 rows of vocabulary 100/);
  });

  it('works on row slices of a bigger activation record', async () => {
    const gpu = await testGpu();
    const V = 64;
    const all = randomFloats(10 * V, 81, -2, 2);
    const record = gpu.upload(all, [10, V], 'f32', 'activations', 'record');
    const tt = gpu.upload(new Int32Array([3, 60, -100, 7]), [4], 'i32', 'activations', 'targets');
    const losses = gpu.tensor([4], 'f32', 'activations', 'losses');
    const logits = gpu.slice(record, 4 * V, 4 * V);
    crossEntropy(gpu, losses, logits, logits, tt, 4, V, 1, { maxBindingBytes: 3 * V * 4, variant });
    const [gl, gr] = [await gpu.readF32(losses), await gpu.readF32(record)];
    gpu.free(record, tt, losses);
    const want = crossEntropyRef(all.slice(4 * V, 8 * V), [3, 60, -100, 7], 4, V, 1);
    expect(closeness(gl, want.losses, LOSS_TOL)).toBeNull();
    expect(closeness(gr.slice(4 * V, 8 * V), want.dlogits, gradTol(1))).toBeNull();
    expect(Array.from(gr.slice(0, 4 * V))).toEqual(Array.from(all.slice(0, 4 * V)));
    expect(Array.from(gr.slice(8 * V))).toEqual(Array.from(all.slice(8 * V)));
  });

  it('rejects wrong dtypes and short tensors naming them', async () => {
    const gpu = await testGpu();
    const logits = gpu.tensor([4, 8], 'f32', 'activations', 'logits');
    const tf = gpu.tensor([4], 'f32', 'activations', 'targets');
    const losses = gpu.tensor([3], 'f32', 'activations', 'losses');
    expect(() => crossEntropy(gpu, losses, null, logits, tf, 3, 8, 1)).toThrow(/targets "targets" \(4\) is f32, expected i32/);
    expect(() => crossEntropy(gpu, losses, null, logits, tf, 4, 8, 1)).toThrow(/losses "losses" \(3\) has 3 elements, needs 4/);
    expect(() => crossEntropy(gpu, losses, null, logits, tf, 3, 11, 1)).toThrow(/logits "logits" \(4,8\) has 32 elements, needs 33/);
    gpu.free(logits, tf, losses);
  });
});

describe('cross-entropy serial form', () => {
  it('equals the workgroup form bit for bit (losses and gradients, awkward rows included)', async () => {
    const gpu = await testGpu();
    const V = 6;
    const edge = new Float32Array([
      ...[1e30, 0.5, -1, 2, 0, 1],
      ...[-1e30, -1e30, 3, -1e30, 0.25, -1e30],
      ...[0, 1, NaN, 2, 3, 0],
      ...[-Infinity, 1, 2, -Infinity, 0, 1],
      ...[-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
    ]);
    const cases: [Float32Array, Int32Array, number][] = [
      [edge, new Int32Array([0, 4, 1, 3, 2]), V],
      [randomFloats(9 * 300, 91, -4, 4), targetsFor(9, 300, 92, 4), 300],
      [randomFloats(2 * 32128, 93, -10, 10), new Int32Array([5, 32127]), 32128],
    ];
    for (const [logits, targets, vocab] of cases) {
      const N = targets.length;
      const [a, b] = [await runForm(gpu, 'workgroup', logits, targets, N, vocab), await runForm(gpu, 'serial', logits, targets, N, vocab)];
      expect(Array.from(b.losses), `losses, V = ${vocab}`).toEqual(Array.from(a.losses));
      expect(Array.from(b.dlogits!), `dlogits, V = ${vocab}`).toEqual(Array.from(a.dlogits!));
    }
  });
});

async function runForm(gpu: Gpu, variant: CrossEntropyVariant, logits: Float32Array, targets: Int32Array, N: number, V: number) {
  const before = form;
  form = variant;
  try {
    return await run(gpu, logits, targets, N, V, 0.3, 'separate');
  } finally {
    form = before;
  }
}
