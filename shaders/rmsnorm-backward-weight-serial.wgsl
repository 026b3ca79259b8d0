// T5LayerNorm backward for the weight, one invocation per column, no workgroup memory, no barriers:
// dweight_c += sum over rows of dout[n,c] * inp[n,c] * rstd[n], in the order of rmsnorm-backward-weight.wgsl
// (LANES strided partial sums over rows, then added lane by lane), so the same bits.
// dout (N,C), inp (N,C), rstd (N), dweight (C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG_X;
  if (c >= u.C) { return; }
  var total = 0.0;
  for (var y = 0u; y < LANES; y++) {
    var s = 0.0;
    for (var n = y; n < u.N; n += LANES) {
      let i = n * u.C + c;
      s += dout[i] * (inp[i] * rstd[n]);
    }
    total += s;
  }
  dweight[c] += total;
}
