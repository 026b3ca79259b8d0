// T5LayerNorm backward for the input, one invocation per row (rmsnorm-backward-row.wgsl): no workgroup memory,
// no barriers, the same bits as rmsnorm-backward.wgsl. dout (N,C), inp (N,C), weight (C), rstd (N), dinp (N,C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row < u.N) { rmsnorm_backward_row(row); }
}
