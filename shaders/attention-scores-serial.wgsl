// Attention forward, part 1, as attention-scores.wgsl (same maths, mask and bias rules) with one invocation per
// score row (b, h, i): no workgroup memory, no barriers, for CPU adapters. The max is order-free; the sum of
// exps replays the workgroup form's tree (tree-sum.wgsl, TREE_WIDTH = its workgroup size), so probs equal the
// workgroup form's bit for bit.
// q (B,Tq,C) bound as row_src, k (B,Cap,C) as key_src, bias (NH,Tq,Tk), key_mask (B,Tk) u32, probs (B,NH,Tq,Tk).

// score_row and dot_with_key come from attention-row.wgsl (its workgroup staging is not used here); F32_LOWEST and
// masked_score from attention-score.wgsl.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG_X;
  if (row >= u.n) { return; }
  let r = score_row(row);
  let p_base = row * u.Tk;

  var m = F32_LOWEST;
  for (var j = 0u; j < u.Tk; j++) {
    let s = masked_score(r, j, dot_with_key(r, j));
    probs[p_base + j] = s;
    m = max(m, s);
  }
  for (var j = 0u; j < u.Tk; j++) { probs[p_base + j] = exp(probs[p_base + j] - m); }
  var total = 0.0;
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var s = 0.0;
    for (var j = tree_leaf(i); j < u.Tk; j += TREE_WIDTH) { s += probs[p_base + j]; }
    total = tree_push(i, s);
  }
  for (var j = 0u; j < u.Tk; j++) { probs[p_base + j] = probs[p_base + j] / total; }
}
