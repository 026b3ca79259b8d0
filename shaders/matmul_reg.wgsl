// matmul, register-blocked (no workgroup memory): each invocation computes an RM x RN block of out
// straight from global memory. Fast where "shared" memory is no faster than global (SwiftShader on a CPU).
//   out (batch,M,N) = alpha * op(A) . op(B)  [+ out if ACCUM]  [+ residual if RESID]
//   A (batch,M,K) or (batch,K,M) if TRANS_A; B (batch,K,N) or (batch,N,K) if TRANS_B; element type IN.
// Indices are off + batch * stride + row * ld + col, so one program serves sub-blocks of bigger tensors.
// Rows/cols past M/N are clamped to the last valid one when loading and dropped when storing: no branches
// in the inner loop. Products are formed in IN (f16 for the f16 variant) and summed in f32.

fn a_index(base: u32, m: u32, k: u32) -> u32 {
  if (TRANS_A) { return base + k * u.lda + m; }
  return base + m * u.lda + k;
}

fn b_index(base: u32, k: u32, n: u32) -> u32 {
  if (TRANS_B) { return base + n * u.ldb + k; }
  return base + k * u.ldb + n;
}

fn store(bz: u32, m: u32, n: u32, v: f32) {
  let o = u.offO + bz * u.sO + m * u.ldo + n;
  var r = u.alpha * v;
  if (ACCUM) { r += out[o]; }
  if (RESID) { r += residual[u.offR + bz * u.sR + m * u.ldr + n]; }
  out[o] = r;
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * RN;
  let m0 = gid.y * RM;
  let bz = gid.z;
  if (n0 >= u.N || m0 >= u.M) { return; }
  let baseA = u.offA + bz * u.sA;
  let baseB = u.offB + bz * u.sB;
  var rows: array<u32, RM>;
  var cols: array<u32, RN>;
  for (var i = 0u; i < RM; i++) { rows[i] = min(m0 + i, u.M - 1u); }
  for (var j = 0u; j < RN; j++) { cols[j] = min(n0 + j, u.N - 1u); }
  var acc: array<array<f32, RN>, RM>;
  for (var k = 0u; k < u.K; k++) {
    var av: array<IN, RM>;
    var bv: array<IN, RN>;
    for (var i = 0u; i < RM; i++) { av[i] = a[a_index(baseA, rows[i], k)]; }
    for (var j = 0u; j < RN; j++) { bv[j] = b[b_index(baseB, k, cols[j])]; }
    for (var i = 0u; i < RM; i++) {
      for (var j = 0u; j < RN; j++) { acc[i][j] += f32(av[i] * bv[j]); }
    }
  }
  for (var i = 0u; i < RM; i++) {
    if (m0 + i >= u.M) { break; }
    for (var j = 0u; j < RN; j++) {
      if (n0 + j >= u.N) { break; }
      store(bz, m0 + i, n0 + j, acc[i][j]);
    }
  }
}
