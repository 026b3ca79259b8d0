// T5LayerNorm backward for the weight, one invocation per column: dweight_c += sum over rows (in row order) of
// dout[n,c] * inp[n,c] * rstd[n]. No workgroup memory, no barriers; for CPU adapters and few rows.
// dout (N,C), inp (N,C), rstd (N), dweight (C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG_X;
  if (c >= u.C) { return; }
  var s = 0.0;
  for (var n = 0u; n < u.N; n++) {
    let i = n * u.C + c;
    s += dout[i] * (inp[i] * rstd[n]);
  }
  dweight[c] += s;
}
