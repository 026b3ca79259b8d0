// Inverted dropout in place, with the mask drawn from Philox4x32-10 so the backward pass regenerates it:
//   x[i] = keep(i) ? x[i] * dropScale : 0,
//   keep(i) = philox((i, dropStream, 0, 0), (dropKey0, dropKey1)).x >= dropThreshold
// over x (n): dropped() of shaders/dropout-fused.wgsl, the same function the fused kernels apply. The same map is
// dropout's backward (dinp = dout * mask * scale). MASK_ONLY writes the scale itself (keep(i) ? dropScale : 0)
// without reading x.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  if (MASK_ONLY) {
    x[i] = dropped(1.0, i);
  } else {
    x[i] = dropped(x[i], i);
  }
}
