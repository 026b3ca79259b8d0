// The matmul epilogue every variant shares: out = alpha * acc [+ out if ACCUM] [+ residual if RESID], at
// element (m, n) of batch bz, with the offsets, strides and leading dimensions from the uniforms.
// SEG2 adds a second, small product alpha2 * op(A2) op(B2) (a LoRA adapter's B or A layer beside its base
// weight), dropped out alone with DROP_SEG2, before DROP_OUT, ACCUM and RESID (batch 0 only;
// segment2(): shaders/matmul-second.wgsl).
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
