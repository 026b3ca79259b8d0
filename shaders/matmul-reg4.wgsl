// matmul, register-blocked with vec4 loads: each invocation computes a 4x4 block of out, stepping K by 4
// and multiplying 4x4 blocks as WGSL matrices. a and b are bound as vec4<f32>: the host only picks this
// program when the contiguous dimension of each operand, K, and every offset/stride/ld are multiples of 4.
//   out (batch,M,N) = alpha * op(A) . op(B)  [+ out if ACCUM]  [+ residual if RESID]
// ma: rows m0..m0+3, columns k..k+3; mb: rows k..k+3, columns n0..n0+3 (WGSL matrices are column-major,
// mat4x4(c0, c1, c2, c3) takes columns, so a load that yields a row is transposed into place).

// i: element index of the first of four consecutive elements. DROP_A / DROP_B drop them out as they load.
fn a4(i: u32) -> vec4<f32> {
  if (DROP_A) { return dropped4(a[i / 4u], i - u.offA); }
  return a[i / 4u];
}
fn b4(i: u32) -> vec4<f32> {
  if (DROP_B) { return dropped4(b[i / 4u], i - u.offB); }
  return b[i / 4u];
}

// store(bz, m, n, v): shaders/matmul-store.wgsl

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  let bz = gid.z;
  if (n0 >= u.N || m0 >= u.M) { return; }
  let baseA = u.offA + bz * u.sA;
  let baseB = u.offB + bz * u.sB;
  // Rows of a non-transposed operand may run past M or N; clamp them (their results are not stored).
  let r0 = min(m0, u.M - 1u);
  let r1 = min(m0 + 1u, u.M - 1u);
  let r2 = min(m0 + 2u, u.M - 1u);
  let r3 = min(m0 + 3u, u.M - 1u);
  let c0 = min(n0, u.N - 1u);
  let c1 = min(n0 + 1u, u.N - 1u);
  let c2 = min(n0 + 2u, u.N - 1u);
  let c3 = min(n0 + 3u, u.N - 1u);
  var acc = mat4x4<f32>();
  for (var k = 0u; k < u.K; k += 4u) {
    var ma: mat4x4<f32>;
    if (TRANS_A) {
      let p = baseA + k * u.lda + m0;
      ma = mat4x4<f32>(a4(p), a4(p + u.lda), a4(p + 2u * u.lda), a4(p + 3u * u.lda));
    } else {
      let p = baseA + k;
      ma = transpose(mat4x4<f32>(a4(p + r0 * u.lda), a4(p + r1 * u.lda), a4(p + r2 * u.lda), a4(p + r3 * u.lda)));
    }
    var mb: mat4x4<f32>;
    if (TRANS_B) {
      let p = baseB + k;
      mb = mat4x4<f32>(b4(p + c0 * u.ldb), b4(p + c1 * u.ldb), b4(p + c2 * u.ldb), b4(p + c3 * u.ldb));
    } else {
      let p = baseB + k * u.ldb + n0;
      mb = transpose(mat4x4<f32>(b4(p), b4(p + u.ldb), b4(p + 2u * u.ldb), b4(p + 3u * u.ldb)));
    }
    acc += ma * mb;
  }
  for (var j = 0u; j < 4u; j++) {
    if (n0 + j >= u.N) { break; }
    for (var i = 0u; i < 4u; i++) {
      if (m0 + i >= u.M) { break; }
      store(bz, m0 + i, n0 + j, acc[j][i]);
    }
  }
}
