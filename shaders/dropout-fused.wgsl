// Dropout of element i of a tensor: kept and scaled, or set to 0, from the uniforms dropKey0/1 (the step seed),
// dropStream (the site), dropThreshold and dropScale. The dropout kernel (dropout.wgsl) and the kernels that fuse a
// dropout (a matmul's loads or store, an activation, the embedding lookup) all call it, so their masks agree.
// Needs shaders/philox.wgsl.
fn dropped(v: f32, i: u32) -> f32 {
  let keep = dropout_keeps(i, u.dropStream, vec2<u32>(u.dropKey0, u.dropKey1), u.dropThreshold);
  return select(0.0, v * u.dropScale, keep);
}

// Four elements i..i+3 consecutive in storage (a vec4 load).
fn dropped4(v: vec4<f32>, i: u32) -> vec4<f32> {
  return vec4<f32>(dropped(v.x, i), dropped(v.y, i + 1u), dropped(v.z, i + 2u), dropped(v.w, i + 3u));
}
