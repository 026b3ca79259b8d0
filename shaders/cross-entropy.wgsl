// Cross-entropy over the vocabulary, one workgroup per row, in place on the logits:
//   losses[row0 + r] = logsumexp(logits[r, :]) - logits[r, t]          (0 when t = -100)
//   WITH_GRAD: logits[r, j] = grad_scale * (softmax(logits[r, :])_j - [j == t])   (a 0 row when t = -100)
// logits (rows, vocab) is this chunk's slice; losses, targets (N) are whole, indexed from row0.
// A NaN or +inf logit, a row of only -inf, or a target outside [0, vocab) makes the row's loss and gradient NaN.
// -inf logits count as probability 0; a -inf target logit gives an infinite loss. IGNORE_INDEX (-100) comes from the
// program table (src/common/tokenizer-types.ts).
// Each invocation keeps a running (max, sum of exp(x - max)) over a fixed stride of the row, and the
// workgroup merges them in a fixed tree: two reads of the row, deterministic. Helpers: cross-entropy-common.wgsl.

var<workgroup> red_max: array<f32, WG_X>;
var<workgroup> red_sum: array<f32, WG_X>;
var<workgroup> red_bad: array<u32, WG_X>;

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
  // Read before any invocation writes the row (in place): every write comes after the barriers below.
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
  red_max[lid.x] = m;
  red_sum[lid.x] = s;
  red_bad[lid.x] = bad;
  workgroupBarrier();
  for (var half = WG_X / 2u; half > 0u; half /= 2u) {
    if (lid.x < half) {
      let m1 = red_max[lid.x];
      let m2 = red_max[lid.x + half];
      let mm = max(m1, m2);
      red_sum[lid.x] = red_sum[lid.x] * exp(m1 - mm) + red_sum[lid.x + half] * exp(m2 - mm);
      red_max[lid.x] = mm;
      red_bad[lid.x] = red_bad[lid.x] | red_bad[lid.x + half];
    }
    workgroupBarrier();
  }
  let row_max = red_max[0];
  let row_sum = red_sum[0];
  // row_sum is 0 only when every logit is -inf: logsumexp is -inf and the loss undefined, as in torch.
  let poisoned = red_bad[0] != 0u || !valid_target || row_sum == 0.0;

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
