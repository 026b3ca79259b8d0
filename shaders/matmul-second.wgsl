// The second product a matmul's store can add (SEG2): bindings a2, b2 (f32), uniforms K2, lda2, ldb2, offA2,
// offB2, constants TRANS_A2, TRANS_B2. Shared by the f32 matmuls and the NF4 dequantize-matmul.
// Element (m, n) of op(A2) op(B2): A2 (M, K2) or (K2, M) if TRANS_A2, B2 (K2, N) or (N, K2) if TRANS_B2.
// One dot product per output: K2 is an adapter's rank, small beside the main product's K.
fn segment2(m: u32, n: u32) -> f32 {
  var s = 0.0;
  for (var k = 0u; k < u.K2; k++) {
    var ia = u.offA2 + m * u.lda2 + k;
    if (TRANS_A2) { ia = u.offA2 + k * u.lda2 + m; }
    var ib = u.offB2 + k * u.ldb2 + n;
    if (TRANS_B2) { ib = u.offB2 + n * u.ldb2 + k; }
    s += f32(a2[ia]) * f32(b2[ib]);
  }
  return s;
}
