// Attention backward through softmax: one workgroup per score row (b, h, i).
//   dP_j = dout_i . v_j;   dS_j = P_j * (dP_j - sum_j' dP_j' * P_j')
// HAS_DROP: the forward used P * drop (drop = dropout keep mask / (1-p)), so dP_j is scaled by drop_j first.
// dout (B,Tq,C), v (B,Cap,C), probs (B,NH,Tq,Tk), dscores (B,NH,Tq,Tk) written; C = NH*D.
// Masked entries of a live row have P = 0 and so dS = 0. A fully masked row has uniform P and gets the
// gradient autograd gives HF (the additive mask is a constant there), which is finite.

var<workgroup> dout_row: array<f32, MAX_D>;
var<workgroup> partial: array<f32, WG_SIZE>;

fn reduce_sum(tid: u32, value: f32) -> f32 {
  partial[tid] = value;
  workgroupBarrier();
  for (var stride = WG_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (tid < stride) { partial[tid] = partial[tid] + partial[tid + stride]; }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u.n) { return; }
  let i = row % u.Tq;
  let h = (row / u.Tq) % u.NH;
  let b = row / (u.Tq * u.NH);
  let C = u.NH * u.D;
  let o_base = (b * u.Tq + i) * C + h * u.D;
  for (var d = tid; d < u.D; d += WG_SIZE) { dout_row[d] = dout[o_base + d]; }
  workgroupBarrier();

  let p_base = row * u.Tk;
  var local_dot = 0.0;
  for (var j = tid; j < u.Tk; j += WG_SIZE) {
    let v_base = (b * u.cap + j) * C + h * u.D;
    var dp = 0.0;
    for (var d = 0u; d < u.D; d++) { dp += dout_row[d] * v[v_base + d]; }
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
