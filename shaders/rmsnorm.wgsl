// T5LayerNorm forward, one workgroup per row: rstd = 1/sqrt(mean(x^2) + eps), out = weight * (x * rstd).
// inp (N,C), weight (C), out (N,C), rstd (N). Rows past the 65535-workgroup limit are folded into y.
// The sum of squares is in f32 like HF's, so a huge row overflows to inf and outputs 0 (see rmsnorm.ref.ts).

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.N) { return; }  // uniform across the workgroup, so the barriers below stay uniform
  let base = row * u.C;

  var s = 0.0;
  for (var c = lid; c < u.C; c += WG_SIZE) {
    let x = inp[base + c];
    s += x * x;
  }
  // A fixed-shape tree (workgroup-reduce.wgsl) or subgroup sums and one barrier (subgroup-reduce.wgsl), whichever
  // the program includes: either way the same inputs always sum in the same order.
  let total = reduce_sum(lid, s);

  let r = 1.0 / sqrt(total / f32(u.C) + u.eps);
  if (lid == 0u) { rstd[row] = r; }
  for (var c = lid; c < u.C; c += WG_SIZE) {
    out[base + c] = weight[c] * (inp[base + c] * r);
  }
}
