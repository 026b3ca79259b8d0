// The attention kernels against PyTorch autograd running HF's T5Attention recipe (attention-hf.testing.ts):
// fully masked rows (uniform, HF's gradient through the constant mask), causal + padding masked once, no bias.
import { describe, expect, it } from 'vitest';
import { closeness, testGpu } from '../../testing/gpu';
import { attentionBackward, attentionForward, type AttentionDims } from './attention';
import { attentionHfGolden } from './attention-hf.testing';
import { attentionBackwardRef, attentionForwardRef } from './attention.ref';

const TOL = { rtol: 1e-4, atol: 1e-6 };

describe('attention matches HF (PyTorch autograd golden values)', () => {
  for (const c of attentionHfGolden) {
    const dims: AttentionDims = c.dims;
    const { B, Tq, Tk, NH, D } = dims;

    it(`float64 reference: ${c.name}`, () => {
      const f = attentionForwardRef(c.q, c.k, c.v, c.bias, c.keyMask, dims);
      const g = attentionBackwardRef(c.dout, c.q, c.k, c.v, f.probs, dims);
      expect(closeness(f.probs, c.probs, TOL), 'probs').toBeNull();
      expect(closeness(f.out, c.out, TOL), 'out').toBeNull();
      expect(closeness(g.dscores, c.dscores, TOL), 'dscores').toBeNull();
      expect(closeness(g.dq, c.dq, TOL), 'dq').toBeNull();
      expect(closeness(g.dk, c.dk, TOL), 'dk').toBeNull();
      expect(closeness(g.dv, c.dv, TOL), 'dv').toBeNull();
      if (c.dbias) expect(closeness(g.dbias, c.dbias, TOL), 'dbias').toBeNull();
    });

    it(`GPU kernels: ${c.name}`, async () => {
      const gpu = await testGpu();
      const up = (a: number[], shape: number[], label: string) => gpu.upload(Float32Array.from(a), shape, 'f32', 'scratch', label);
      const q = up(c.q, [B, Tq, NH * D], 'q');
      const k = up(c.k, [B, Tk, NH * D], 'k');
      const v = up(c.v, [B, Tk, NH * D], 'v');
      const dout = up(c.dout, [B, Tq, NH * D], 'dout');
      const bias = c.bias ? up(c.bias, [NH, Tq, Tk], 'bias') : null;
      const keyMask = gpu.upload(Uint32Array.from(c.keyMask), [B, Tk], 'u32', 'scratch', 'keyMask');
      const out = gpu.tensor([B, Tq, NH * D], 'f32', 'scratch', 'out');
      const probs = gpu.tensor([B, NH, Tq, Tk], 'f32', 'scratch', 'probs');
      const dscores = gpu.tensor([B, NH, Tq, Tk], 'f32', 'scratch', 'dscores');
      const dq = gpu.tensor([B, Tq, NH * D], 'f32', 'scratch', 'dq');
      const dk = gpu.tensor([B, Tk, NH * D], 'f32', 'scratch', 'dk');
      const dv = gpu.tensor([B, Tk, NH * D], 'f32', 'scratch', 'dv');
      const dbias = bias ? gpu.tensor([NH, Tq, Tk], 'f32', 'scratch', 'dbias') : null;
      if (dbias) gpu.zero(dbias);
      attentionForward(gpu, out, probs, q, k, v, bias, keyMask, dims);
      attentionBackward(gpu, dq, dk, dv, dbias, dscores, dout, q, k, v, probs, dims);
      expect(closeness(await gpu.readF32(probs), c.probs, TOL), 'probs').toBeNull();
      expect(closeness(await gpu.readF32(out), c.out, TOL), 'out').toBeNull();
      expect(closeness(await gpu.readF32(dscores), c.dscores, TOL), 'dscores').toBeNull();
      expect(closeness(await gpu.readF32(dq), c.dq, TOL), 'dq').toBeNull();
      expect(closeness(await gpu.readF32(dk), c.dk, TOL), 'dk').toBeNull();
      expect(closeness(await gpu.readF32(dv), c.dv, TOL), 'dv').toBeNull();
      if (dbias && c.dbias) expect(closeness(await gpu.readF32(dbias), c.dbias, TOL), 'dbias').toBeNull();
      gpu.free(q, k, v, dout, bias, keyMask, out, probs, dscores, dq, dk, dv, dbias);
    });
  }
});
