// T5LayerNorm backward for the input, one invocation per row: no workgroup memory, no barriers. Same maths and,
// through tree-sum.wgsl, the same order of the row sum as rmsnorm-backward.wgsl, so the same bits.
// With r = rstd[row], S = sum_j dy_j w_j x_j:   dinp_i += r w_i dy_i - x_i r^3 S / C
// dout (N,C), inp (N,C), weight (C), rstd (N), dinp (N,C).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row >= u.N) { return; }
  let base = row * u.C;

  var total = 0.0;
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var s = 0.0;
    for (var c = tree_leaf(i); c < u.C; c += TREE_WIDTH) {
      s += dout[base + c] * weight[c] * inp[base + c];
    }
    total = tree_push(i, s);
  }
  let r = rstd[row];
  let k = r * r * r * total / f32(u.C);
  for (var c = 0u; c < u.C; c++) {
    let i = base + c;
    dinp[i] += r * weight[c] * dout[i] - inp[i] * k;
  }
}
