// T5LayerNorm forward, one workgroup per row, summed with subgroupAdd and one barrier (subgroup-reduce.wgsl)
// instead of the barrier tree of rmsnorm.wgsl. Same maths: rstd = 1/sqrt(mean(x^2) + eps), out = weight * (x * rstd).
// inp (N,C), weight (C), out (N,C), rstd (N).

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.N) { return; }  // uniform across the workgroup
  let base = row * u.C;

  var s = 0.0;
  for (var c = lid; c < u.C; c += WG_SIZE) {
    let x = inp[base + c];
    s += x * x;
  }
  let total = subgroup_workgroup_sum(lid, s);

  let r = 1.0 / sqrt(total / f32(u.C) + u.eps);
  if (lid == 0u) { rstd[row] = r; }
  for (var c = lid; c < u.C; c += WG_SIZE) {
    out[base + c] = weight[c] * (inp[base + c] * r);
  }
}
