// matmul, register-blocked (no workgroup memory): each invocation computes a 4x4 block of out straight
// from global memory, with scalar loads (any shape, f32 or f16 operands of type IN).
//   out (batch,M,N) = alpha * op(A) . op(B)  [+ out if ACCUM]  [+ residual if RESID]
//   A (batch,M,K) or (batch,K,M) if TRANS_A; B (batch,K,N) or (batch,N,K) if TRANS_B.
// Indices are off + batch * stride + row * ld + col, so one program serves sub-blocks of bigger tensors.
// The block lives in four vec4 accumulators, not an indexed array: SwiftShader spills dynamically indexed
// private arrays to memory, which made the array form ~20x slower. Rows/cols past M/N are clamped to the
// last valid one when loading and dropped when storing, so the inner loop has no branches.
// Products are formed in IN (f16 for the f16 variant) and summed in f32. DROP_A / DROP_B drop an operand out as
// it is loaded (f32 only; shaders/matmul-store.wgsl).

fn a_at(base: u32, m: u32, k: u32) -> IN {
  var i = base + m * u.lda + k;
  if (TRANS_A) { i = base + k * u.lda + m; }
  if (DROP_A) { return IN(dropped(f32(a[i]), i - u.offA)); }
  return a[i];
}

fn b_at(base: u32, k: u32, n: u32) -> IN {
  var i = base + k * u.ldb + n;
  if (TRANS_B) { i = base + n * u.ldb + k; }
  if (DROP_B) { return IN(dropped(f32(b[i]), i - u.offB)); }
  return b[i];
}

// store(bz, m, n, v): shaders/matmul-store.wgsl

fn store_row(bz: u32, m: u32, n0: u32, v: vec4<f32>) {
  if (m >= u.M) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n0 + j < u.N) { store(bz, m, n0 + j, v[j]); }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  let bz = gid.z;
  if (n0 >= u.N || m0 >= u.M) { return; }
  let baseA = u.offA + bz * u.sA;
  let baseB = u.offB + bz * u.sB;
  let r = min(vec4<u32>(m0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(u.M - 1u));
  let c = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(u.N - 1u));
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k = 0u; k < u.K; k++) {
    let av = vec4<IN>(a_at(baseA, r.x, k), a_at(baseA, r.y, k), a_at(baseA, r.z, k), a_at(baseA, r.w, k));
    let bv = vec4<IN>(b_at(baseB, k, c.x), b_at(baseB, k, c.y), b_at(baseB, k, c.z), b_at(baseB, k, c.w));
    acc0 += vec4<f32>(av.x * bv);
    acc1 += vec4<f32>(av.y * bv);
    acc2 += vec4<f32>(av.z * bv);
    acc3 += vec4<f32>(av.w * bv);
  }
  store_row(bz, m0, n0, acc0);
  store_row(bz, m0 + 1u, n0, acc1);
  store_row(bz, m0 + 2u, n0, acc2);
  store_row(bz, m0 + 3u, n0, acc3);
}
