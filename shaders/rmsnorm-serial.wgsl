// T5LayerNorm forward, one invocation per row: no workgroup memory and no barriers, for CPU adapters such as
// SwiftShader, where barriers are slow. The sum of squares takes the workgroup form's order (tree-sum.wgsl with
// TREE_WIDTH = its workgroup size), so the results equal rmsnorm.wgsl's bit for bit.
// inp (N,C), weight (C), out (N,C), rstd (N).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row >= u.N) { return; }
  let base = row * u.C;

  var total = 0.0;
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var s = 0.0;
    for (var c = tree_leaf(i); c < u.C; c += TREE_WIDTH) {
      let x = inp[base + c];
      s += x * x;
    }
    total = tree_push(i, s);
  }

  let r = 1.0 / sqrt(total / f32(u.C) + u.eps);
  rstd[row] = r;
  for (var c = 0u; c < u.C; c++) {
    out[base + c] = weight[c] * (inp[base + c] * r);
  }
}
