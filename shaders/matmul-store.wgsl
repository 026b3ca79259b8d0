// The matmul epilogue every variant shares: out = alpha * acc [+ out if ACCUM] [+ residual if RESID], at
// element (m, n) of batch bz, with the offsets, strides and leading dimensions from the uniforms.
// With DROP_OUT, alpha * acc is dropped out before the add (mask index m * ldo + n, batch 0 only;
// dropped(): shaders/dropout-fused.wgsl).
fn store(bz: u32, m: u32, n: u32, v: f32) {
  let o = u.offO + bz * u.sO + m * u.ldo + n;
  var r = u.alpha * v;
  if (DROP_OUT) { r = dropped(r, o - u.offO); }
  if (ACCUM) { r += out[o]; }
  if (RESID) { r += residual[u.offR + bz * u.sR + m * u.ldr + n]; }
  out[o] = r;
}
