// dbias[h,i,j] += sum_b dscores[b,h,i,j]: the position bias is shared across the batch.
// dscores (B,NH,Tq,Tk), dbias (NH,Tq,Tk) accumulated; one invocation per bias entry, batch summed in order.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WG_X;
  if (idx >= u.n) { return; }
  var acc = 0.0;
  for (var b = 0u; b < u.B; b++) { acc += dscores[b * u.n + idx]; }
  dbias[idx] = dbias[idx] + acc;
}
