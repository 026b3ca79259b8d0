// The matmul epilogue every variant shares: out = alpha * acc [+ out if ACCUM] [+ residual if RESID], at
// element (m, n) of batch bz, with the offsets, strides and leading dimensions from the uniforms.
// With DROP_OUT, alpha * acc is dropped out before the add (mask index m * ldo + n, batch 0 only).
fn store(bz: u32, m: u32, n: u32, v: f32) {
  let o = u.offO + bz * u.sO + m * u.ldo + n;
  var r = u.alpha * v;
  if (DROP_OUT) { r = dropped(r, o - u.offO); }
  if (ACCUM) { r += out[o]; }
  if (RESID) { r += residual[u.offR + bz * u.sR + m * u.ldr + n]; }
  out[o] = r;
}

// Dropout fused into a load (DROP_A, DROP_B) or the store (DROP_OUT): element i of the masked operand, counted
// from its first element in storage order, is kept and scaled or set to 0 exactly as the dropout kernel does.
fn dropped(v: f32, i: u32) -> f32 {
  let keep = dropout_keeps(i, u.dropStream, vec2<u32>(u.dropKey0, u.dropKey1), u.dropThreshold);
  return select(0.0, v * u.dropScale, keep);
}

// Four elements i..i+3 consecutive in storage (a vec4 load).
fn dropped4(v: vec4<f32>, i: u32) -> vec4<f32> {
  return vec4<f32>(dropped(v.x, i), dropped(v.y, i + 1u), dropped(v.z, i + 2u), dropped(v.w, i + 3u));
}
