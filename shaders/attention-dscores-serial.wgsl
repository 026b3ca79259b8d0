// Attention backward through softmax, as attention-dscores.wgsl, with one invocation per score row (b, h, i):
// no workgroup memory, no barriers. The row sum replays the workgroup form's tree (tree-sum.wgsl), so dscores
// equal the workgroup form's bit for bit.
//   dP_j = dout_i . v_j (* drop_j);   dS_j = P_j * (dP_j - sum_j' dP_j' * P_j')
// dout (B,Tq,C) bound as row_src, v (B,Cap,C) as key_src, probs (B,NH,Tq,Tk), dscores (B,NH,Tq,Tk) written.

// score_row and dot_with_key come from attention-row.wgsl (its workgroup staging is not used here).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row >= u.n) { return; }
  let r = score_row(row);
  let p_base = row * u.Tk;

  for (var j = 0u; j < u.Tk; j++) {
    var dp = dot_with_key(r, j);
    if (HAS_DROP) { dp = dp * drop[p_base + j]; }
    dscores[p_base + j] = dp;
  }
  var dot = 0.0;
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var s = 0.0;
    for (var j = tree_leaf(i); j < u.Tk; j += TREE_WIDTH) { s += dscores[p_base + j] * probs[p_base + j]; }
    dot = tree_push(i, s);
  }
  for (var j = 0u; j < u.Tk; j++) {
    dscores[p_base + j] = probs[p_base + j] * (dscores[p_base + j] - dot);
  }
}
