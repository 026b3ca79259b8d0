// The matmul epilogue every variant shares: out = alpha * acc [+ out if ACCUM] [+ residual if RESID], at
// element (m, n) of batch bz, with the offsets, strides and leading dimensions from the uniforms.
// SEG2 adds a second, small product alpha2 * op(A2) op(B2) (a LoRA adapter's B or A layer beside its base
// weight), dropped out alone with DROP_SEG2, before DROP_OUT, ACCUM and RESID (batch 0 only).
// With DROP_OUT, alpha * acc is dropped out before the add (mask index m * ldo + n, batch 0 only;
// dropped(): shaders/dropout-fused.wgsl).
fn store(bz: u32, m: u32, n: u32, v: f32) {
  let o = u.offO + bz * u.sO + m * u.ldo + n;
  var r = u.alpha * v;
  if (SEG2) {
    var t = u.alpha2 * segment2(m, n);
    if (DROP_SEG2) { t = dropped(t, o - u.offO); }
    r = t + r;
  }
  if (DROP_OUT) { r = dropped(r, o - u.offO); }
  if (ACCUM) { r += out[o]; }
  if (RESID) { r += residual[u.offR + bz * u.sR + m * u.ldr + n]; }
  out[o] = r;
}

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
