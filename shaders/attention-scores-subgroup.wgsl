// Attention forward, part 1, as attention-scores.wgsl (same maths, mask and bias rules), one workgroup per score
// row, with the row max and sum taken by subgroup operations and one barrier each (subgroup-reduce.wgsl)
// instead of two barrier trees.
// q (B,Tq,C) bound as row_src, k (B,Cap,C) as key_src, bias (NH,Tq,Tk), key_mask (B,Tk) u32, probs (B,NH,Tq,Tk).

const F32_LOWEST: f32 = -3.4028234663852886e38;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.n) { return; }
  let r = score_row(row);
  load_row_vec(r, tid);

  let p_base = row * u.Tk;
  var local_max = F32_LOWEST;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    let dot = row_dot_key(r, j);
    var add = 0.0;
    if (HAS_BIAS) { add = bias[(r.h * u.Tq + r.i) * u.Tk + j]; }
    var is_masked = u.causal != 0u && j > u.qoff + r.i;
    if (HAS_MASK) { is_masked = is_masked || key_mask[r.b * u.Tk + j] == 0u; }
    if (is_masked) { add += F32_LOWEST; }
    let s = dot + add;
    probs[p_base + j] = s;
    local_max = max(local_max, s);
  }
  let m = subgroup_workgroup_max(tid, local_max);

  // Each invocation rereads only the entries it wrote itself, so no barrier is needed between passes.
  var local_sum = 0.0;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    let e = exp(probs[p_base + j] - m);
    probs[p_base + j] = e;
    local_sum += e;
  }
  let total = subgroup_workgroup_sum(tid, local_sum);
  for (var j = tid; j < u.Tk; j += WG_SIZE) { probs[p_base + j] = probs[p_base + j] / total; }
}
