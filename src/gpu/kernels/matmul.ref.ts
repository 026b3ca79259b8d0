import type { MatmulDims, MatmulOptions, MatmulSecond } from './matmul';
import { dropoutMaskRef } from './dropout.ref';

/**
 * CPU float64 reference of matmul: out (batch,M,N) = [residual +] [out +] alpha * op(A) op(B).
 * a (batch,M,K) or (batch,K,M) if transA; b (batch,K,N) or (batch,N,K) if transB; strides as in matmul.
 * opts.dropout: a or b dropped out (mask over its storage index) before the product, or alpha * op(A) op(B)
 * dropped out (mask index m * N + n) before accumulate or residual; opts.second adds alpha2 * op(A2) op(B2)
 * (dropped out alone with dropout 'second') before that dropout, accumulate and residual.
 */
export function matmulRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: MatmulDims,
  opts: Omit<MatmulOptions, 'residual' | 'variant' | 'second'> & {
    residual?: ArrayLike<number>;
    out?: ArrayLike<number>;
    second?: Omit<MatmulSecond, 'a' | 'b'> & { a: ArrayLike<number>; b: ArrayLike<number> };
  } = {},
): Float64Array {
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  const sA = opts.strideA ?? M * K;
  const sB = opts.strideB ?? K * N;
  const sO = opts.strideOut ?? M * N;
  const alpha = opts.alpha ?? 1;
  const drop = opts.dropout && opts.dropout.p > 0 ? opts.dropout : undefined;
  // keep / (1 - p) per element of the masked operand, 0 where dropped.
  const keepScale = (n: number) => Float64Array.from(dropoutMaskRef(n, drop!), (k) => (k ? 1 / (1 - drop!.p) : 0));
  const dropped = (x: ArrayLike<number>) => {
    const scale = keepScale(x.length);
    return Float64Array.from(x, (v, i) => v * scale[i]);
  };
  if (drop?.operand === 'a') a = dropped(a);
  if (drop?.operand === 'b') b = dropped(b);
  const outScale = drop?.operand === 'out' ? keepScale(M * N) : null;
  const secondScale = drop?.operand === 'second' ? keepScale(M * N) : null;
  const sec = opts.second;
  const secondAt = (m: number, n: number) => {
    let t = 0;
    for (let k = 0; k < sec!.K; k++) {
      t += sec!.a[sec!.transA ? k * M + m : m * sec!.K + k] * sec!.b[sec!.transB ? n * sec!.K + k : k * N + n];
    }
    return (sec!.alpha ?? 1) * t * (secondScale ? secondScale[m * N + n] : 1);
  };
  const result = new Float64Array(opts.out ? opts.out.length : (batch - 1) * sO + M * N);
  if (opts.out) for (let i = 0; i < result.length; i++) result[i] = opts.out[i];
  for (let z = 0; z < batch; z++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a[z * sA + (opts.transA ? k * M + m : m * K + k)];
          const bv = b[z * sB + (opts.transB ? n * K + k : k * N + n)];
          s += av * bv;
        }
        const o = z * sO + m * N + n;
        let v = alpha * s;
        if (sec) v += secondAt(m, n);
        if (outScale) v *= outScale[m * N + n];
        if (opts.accumulate) v += result[o];
        if (opts.residual) v += opts.residual[z * M * N + m * N + n];
        result[o] = v;
      }
    }
  }
  return result;
}
