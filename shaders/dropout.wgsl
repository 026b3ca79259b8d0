// Inverted dropout in place, with the mask drawn from Philox4x32-10 so the backward pass regenerates it:
//   x[i] = keep(i) ? x[i] * scale : 0,  keep(i) = philox((i, stream, 0, 0), (key0, key1)).x >= threshold.  x (n)
// The same map is dropout's backward (dinp = dout * mask * scale). Philox: shaders/philox.wgsl.
// MASK_ONLY writes the scale itself (x[i] = keep(i) ? scale : 0) without reading x.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let keep = dropout_keeps(i, u.stream, vec2<u32>(u.key0, u.key1), u.threshold);
  if (MASK_ONLY) {
    x[i] = select(0.0, u.scale, keep);
  } else {
    x[i] = select(0.0, x[i] * u.scale, keep);
  }
}
