// T5LayerNorm backward for the input, one workgroup per row. With r = rstd[row], S = sum_j dy_j w_j x_j:
//   dinp_i += r w_i dy_i - x_i r^3 S / C        (+=: the residual stream's gradient accumulates here)
// dout (N,C), inp (N,C), weight (C), rstd (N), dinp (N,C).

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.N) { return; }  // uniform across the workgroup
  let base = row * u.C;

  var s = 0.0;
  for (var c = lid; c < u.C; c += WG_SIZE) {
    s += dout[base + c] * weight[c] * inp[base + c];
  }
  let total = reduce_sum(lid, s); // workgroup-reduce.wgsl (fixed tree) or subgroup-reduce.wgsl, as included

  let r = rstd[row];
  let k = r * r * r * total / f32(u.C);
  for (var c = lid; c < u.C; c += WG_SIZE) {
    let i = base + c;
    dinp[i] += r * weight[c] * dout[i] - inp[i] * k;
  }
}
