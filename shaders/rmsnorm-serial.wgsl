// T5LayerNorm forward, one invocation per row: no workgroup memory and no barriers, for narrow rows (and CPU
// adapters such as SwiftShader, where barriers are slow). Same maths as rmsnorm.wgsl, summed in column order.
// inp (N,C), weight (C), out (N,C), rstd (N).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row >= u.N) { return; }
  let base = row * u.C;

  var s = 0.0;
  for (var c = 0u; c < u.C; c++) {
    let x = inp[base + c];
    s += x * x;
  }
  let r = 1.0 / sqrt(s / f32(u.C) + u.eps);
  rstd[row] = r;
  for (var c = 0u; c < u.C; c++) {
    out[base + c] = weight[c] * (inp[base + c] * r);
  }
}
