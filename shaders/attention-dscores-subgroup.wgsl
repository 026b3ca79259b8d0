// Attention backward through softmax, as attention-dscores.wgsl, one workgroup per score row, with the row sum
// taken by subgroupAdd and one barrier (subgroup-reduce.wgsl) instead of a barrier tree.
//   dP_j = dout_i . v_j (* drop_j);   dS_j = P_j * (dP_j - sum_j' dP_j' * P_j')
// dout (B,Tq,C) bound as row_src, v (B,Cap,C) as key_src, probs (B,NH,Tq,Tk), dscores (B,NH,Tq,Tk) written.

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
  let dot = subgroup_workgroup_sum(tid, local_dot);
  // Each invocation rereads only the dP values it wrote itself.
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    dscores[p_base + j] = probs[p_base + j] * (dscores[p_base + j] - dot);
  }
}
