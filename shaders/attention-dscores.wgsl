// Attention backward through softmax: one workgroup per score row (b, h, i).
//   dP_j = dout_i . v_j;   dS_j = P_j * (dP_j - sum_j' dP_j' * P_j')
// HAS_DROP: the forward used P * drop (drop = dropout keep mask / (1-p)), so dP_j is scaled by drop_j first.
// dout (B,Tq,C) bound as row_src, v (B,Cap,C) as key_src, probs (B,NH,Tq,Tk), dscores (B,NH,Tq,Tk) written;
// C = NH*D.
// Masked entries of a live row have P = 0 and so dS = 0. A fully masked row has uniform P and gets the
// gradient autograd gives HF (the additive mask is a constant there), which is finite.

// reduce_max / reduce_sum come from workgroup-reduce.wgsl (barrier trees) or subgroup-reduce.wgsl (subgroup
// operations and one barrier each), whichever the program includes: this body is both forms.
// score_row, load_row_vec and row_dot_key come from attention-row.wgsl.

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.n) { return; }
  let r = score_row(row);
  load_row_vec(r, tid);

  let p_base = row * u.Tk;
  var local_dot = 0.0;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    var dp = row_dot_key(r, j);
    if (HAS_DROP) { dp = dp * drop[p_base + j]; }
    dscores[p_base + j] = dp;
    local_dot += dp * probs[p_base + j];
  }
  let dot = reduce_sum(tid, local_dot);
  // Each invocation rereads only the dP values it wrote itself.
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    dscores[p_base + j] = probs[p_base + j] * (dscores[p_base + j] - dot);
  }
}
