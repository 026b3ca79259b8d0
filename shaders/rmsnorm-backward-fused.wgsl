// T5LayerNorm backward for the input and the weight in one dispatch, serial: invocations 0..N-1 take a row of
// dinp (rmsnorm-backward-row.wgsl), invocations N..N+C-1 a column of dweight (rmsnorm-backward-column.wgsl).
// The two only read what the other reads and write apart, so no barrier; the same bits as the two workgroup kernels.
// dout (N,C), inp (N,C), weight (C), rstd (N), dinp (N,C), dweight (C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i < u.N) {
    rmsnorm_backward_row(i);
  } else if (i < u.N + u.C) {
    rmsnorm_backward_column(i - u.N);
  }
}
