// One row of the T5LayerNorm input gradient in one invocation, shared by the serial backward kernels
// (rmsnorm-backward-serial.wgsl, rmsnorm-backward-fused.wgsl). The row sum takes rmsnorm-backward.wgsl's tree
// (tree-sum.wgsl), so the same bits. With r = rstd[row], S = sum_j dy_j w_j x_j:
//   dinp_i += r w_i dy_i - x_i r^3 S / C
// Needs bindings dinp, dout, inp, weight, rstd and the uniform C.

fn rmsnorm_backward_row(row: u32) {
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
