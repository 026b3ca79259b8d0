// Attention forward + backward timing for the kernels suite: our kernels (src/gpu/kernels/attention.ts) and
// the same math in TensorFlow.js ops with tf.grads.
import type { Gpu } from '../src/gpu/gpu';
import { attentionBackward, attentionForward, type AttentionDims } from '../src/gpu/kernels/attention';
import { randomFloats } from '../src/testing/gpu';
import type { T5Dims } from './t5-shapes';
import { tfjsSync, type Tf } from './tfjs-node';

export interface AttentionCase {
  B: number;
  T: number;
  NH: number;
  D: number;
}

export function attentionCase(d: T5Dims, quick: boolean): AttentionCase {
  return { B: quick ? 1 : 8, T: 128, NH: d.NH, D: d.D };
}

async function timeMs(reps: number, record: () => void, sync: () => Promise<void>): Promise<number> {
  record();
  await sync();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) record();
  await sync();
  return (performance.now() - t0) / reps;
}

/** Encoder-style self-attention with a position bias: forward, then backward with dbias. */
export async function ourAttentionMs(gpu: Gpu, a: AttentionCase, reps: number): Promise<number> {
  const { B, T, NH, D } = a;
  const C = NH * D;
  const dims: AttentionDims = { B, Tq: T, Tk: T, NH, D, causal: false };
  const t = (n: number, seed: number, label: string) => gpu.upload(randomFloats(n, seed), [n], 'f32', 'scratch', label);
  const q = t(B * T * C, 1, 'q');
  const k = t(B * T * C, 2, 'k');
  const v = t(B * T * C, 3, 'v');
  const bias = t(NH * T * T, 4, 'bias');
  const dout = t(B * T * C, 5, 'dout');
  const out = gpu.tensor([B * T * C], 'f32', 'scratch', 'out');
  const probs = gpu.tensor([B * NH * T * T], 'f32', 'scratch', 'probs');
  const dscores = gpu.tensor([B * NH * T * T], 'f32', 'scratch', 'dscores');
  const dq = gpu.tensor([B * T * C], 'f32', 'scratch', 'dq');
  const dk = gpu.tensor([B * T * C], 'f32', 'scratch', 'dk');
  const dv = gpu.tensor([B * T * C], 'f32', 'scratch', 'dv');
  const dbias = gpu.tensor([NH * T * T], 'f32', 'scratch', 'dbias');
  try {
    return await timeMs(
      reps,
      () => {
        attentionForward(gpu, out, probs, q, k, v, bias, null, dims);
        attentionBackward(gpu, dq, dk, dv, dbias, dscores, dout, q, k, v, probs, dims);
      },
      () => gpu.finish(),
    );
  } finally {
    gpu.free(q, k, v, bias, dout, out, probs, dscores, dq, dk, dv, dbias);
  }
}

/**
 * The same forward and backward as tf ops on (B,NH,T,D) tensors. Written out rather than tf.grads: tfjs-core
 * alone registers no gradients (the union package does, and is not a dependency), and this is the math
 * autograd would run anyway: S = QK^T + bias, P = softmax(S), O = PV; dV = P^T dO, dP = dO V^T,
 * dS = P * (dP - rowsum(dP * P)), dbias = sum_B dS, dQ = dS K, dK = dS^T Q.
 */
export async function tfjsAttentionMs(tf: Tf, a: AttentionCase, reps: number): Promise<number> {
  type T = import('@tensorflow/tfjs-core').Tensor;
  const { B, T, NH, D } = a;
  const q = tf.randomUniform([B, NH, T, D], -1, 1);
  const k = tf.randomUniform([B, NH, T, D], -1, 1);
  const v = tf.randomUniform([B, NH, T, D], -1, 1);
  const bias = tf.randomUniform([1, NH, T, T], -1, 1);
  const dout = tf.randomUniform([B, NH, T, D], -1, 1);
  const step = (): T[] =>
    tf.tidy(() => {
      const p = tf.softmax(tf.add(tf.matMul(q, k, false, true), bias));
      const o = tf.matMul(p, v);
      const dv = tf.matMul(p, dout, true, false);
      const dp = tf.matMul(dout, v, false, true);
      const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
      const dbias = tf.sum(ds, 0, true);
      const dq = tf.matMul(ds, k);
      const dk = tf.matMul(ds, q, true, false);
      return [o, dv, dq, dk, dbias];
    });
  const keep: T[] = [];
  try {
    // Syncing on the last output (dbias) waits for the whole step: the GPU runs tfjs's work in order.
    return await timeMs(reps, () => keep.push(...step()), () => tfjsSync(tf, keep[keep.length - 1]));
  } finally {
    for (const t of keep) t.dispose();
    for (const t of [q, k, v, bias, dout]) t.dispose();
  }
}
