// Attention forward, part 1: one workgroup per score row (b, h, i).
//   s_j = q_i . k_j + (bias_ij + mask_ij), then probs_ij = exp(s_j - max_j s) / sum_j exp(s_j - max_j s).
// q (B,Tq,C) bound as row_src, k (B,Cap,C) as key_src, bias (NH,Tq,Tk), key_mask (B,Tk) u32, probs (B,NH,Tq,Tk);
// C = NH*D.
// No 1/sqrt(D) (T5). masked_score (attention-score.wgsl) adds HF's additive mask to the bias: a fully masked row
// is uniform, a masked entry of a live row is exactly 0.

// reduce_max / reduce_sum come from workgroup-reduce.wgsl (barrier trees) or subgroup-reduce.wgsl (subgroup
// operations and one barrier each), whichever the program includes: this body is both forms.
// score_row, load_row_vec and row_dot_key come from attention-row.wgsl; F32_LOWEST and masked_score from
// attention-score.wgsl.

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.n) { return; }
  let r = score_row(row);
  load_row_vec(r, tid);

  let p_base = row * u.Tk;
  // Every score is >= F32_LOWEST (barring -inf inputs), so it is a safe identity for the max.
  var local_max = F32_LOWEST;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    let s = masked_score(r, j, row_dot_key(r, j));
    probs[p_base + j] = s;
    local_max = max(local_max, s);
  }
  let m = reduce_max(tid, local_max);

  // Each invocation rereads only the entries it wrote itself, so no barrier is needed between passes.
  var local_sum = 0.0;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    let e = exp(probs[p_base + j] - m);
    probs[p_base + j] = e;
    local_sum += e;
  }
  let total = reduce_sum(tid, local_sum);
  for (var j = tid; j < u.Tk; j += WG_SIZE) { probs[p_base + j] = probs[p_base + j] / total; }
}
