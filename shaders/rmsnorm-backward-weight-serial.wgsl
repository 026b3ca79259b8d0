// T5LayerNorm backward for the weight, one invocation per column (rmsnorm-backward-column.wgsl): no workgroup
// memory, no barriers, the same bits as rmsnorm-backward-weight.wgsl. dout (N,C), inp (N,C), rstd (N), dweight (C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG_X;
  if (c < u.C) { rmsnorm_backward_column(c); }
}
