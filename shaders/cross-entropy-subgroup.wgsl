// Cross-entropy over the vocabulary as cross-entropy.wgsl (same outputs, same NaN / inf rules), one workgroup per
// row, with the running (max, sum of exp(x - max), bad) pairs merged by subgroup operations and one barrier instead
// of a barrier tree: each subgroup takes its max, rescales and adds its sums, ORs its flags; one elected invocation
// posts the triple (the others post the identity), and every invocation merges the WG_SIZE posts in index order.
// logits (rows, vocab) is this chunk's slice; losses, targets (N) are whole, indexed from row0.

var<workgroup> post_max: array<f32, WG_X>;
var<workgroup> post_sum: array<f32, WG_X>;
var<workgroup> post_bad: array<u32, WG_X>;

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= u.rows) { return; }
  let base = r * u.vocab;
  let t = targets[u.row0 + r];

  if (t == IGNORE_INDEX) {
    if (WITH_GRAD) {
      for (var j = lid.x; j < u.vocab; j += WG_X) { logits[base + j] = 0.0; }
    }
    if (lid.x == 0u) { losses[u.row0 + r] = 0.0; }
    return;
  }
  let valid_target = t >= 0i && u32(t) < u.vocab;
  // Read before any invocation writes the row (in place): every write comes after the barrier below.
  var target_logit = 0.0;
  if (valid_target) { target_logit = logits[base + u32(t)]; }

  var m = LOWEST;
  var s = 0.0;
  var bad = 0u;
  for (var j = lid.x; j < u.vocab; j += WG_X) {
    let x = logits[base + j];
    if (is_nan_or_pos_inf(x)) {
      bad = 1u;
    } else if (!is_neg_inf(x)) {
      if (x > m) {
        s = s * exp(m - x) + 1.0;
        m = x;
      } else {
        s += exp(x - m);
      }
    }
  }
  let sub_max = subgroupMax(m);
  let sub_sum = subgroupAdd(s * exp(m - sub_max));
  let sub_bad = subgroupOr(bad);
  let first = subgroupElect();
  post_max[lid.x] = select(LOWEST, sub_max, first);
  post_sum[lid.x] = select(0.0, sub_sum, first);
  post_bad[lid.x] = select(0u, sub_bad, first);
  workgroupBarrier();
  var row_max = LOWEST;
  var row_sum = 0.0;
  var row_bad = 0u;
  for (var i = 0u; i < WG_X; i++) {
    let mm = max(row_max, post_max[i]);
    row_sum = row_sum * exp(row_max - mm) + post_sum[i] * exp(post_max[i] - mm);
    row_max = mm;
    row_bad = row_bad | post_bad[i];
  }
  // row_sum is 0 only when every logit is -inf: logsumexp is -inf and the loss undefined, as in torch.
  let poisoned = row_bad != 0u || !valid_target || row_sum == 0.0;

  if (lid.x == 0u) {
    var loss = (row_max - target_logit) + log(row_sum);
    if (is_neg_inf(target_logit)) { loss = bitcast<f32>(INF_BITS); }
    if (poisoned) { loss = nan(); }
    losses[u.row0 + r] = loss;
  }
  if (WITH_GRAD) {
    let inv_sum = 1.0 / row_sum;
    for (var j = lid.x; j < u.vocab; j += WG_X) {
      let x = logits[base + j];
      var p = 0.0;
      if (!is_neg_inf(x)) { p = exp(x - row_max) * inv_sum; }
      if (i32(j) == t) { p -= 1.0; }
      logits[base + j] = select(u.grad_scale * p, nan(), poisoned);
    }
  }
}
