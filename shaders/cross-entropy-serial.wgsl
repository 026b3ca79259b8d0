// Cross-entropy over the vocabulary as cross-entropy.wgsl (same outputs, same NaN / inf rules), one invocation
// per row: no workgroup memory, no barriers, for CPU adapters. The row's running (max, sum of exp(x - max)) is
// kept for each of the workgroup form's TREE_WIDTH strides and merged in its tree (tree_leaf from tree-sum.wgsl,
// a binary-counter stack of running pairs here), so the loss and gradient equal the workgroup form's bit for bit.
// logits (rows, vocab) is this chunk's slice; losses, targets (N) are whole, indexed from row0.

struct Running {
  m: f32,   // max so far (LOWEST before any finite logit)
  s: f32,   // sum of exp(x - m)
  bad: u32, // a NaN or +inf logit was seen
}

// left then right, as the workgroup form merges red_*[l] with red_*[l + half].
fn merge(a: Running, b: Running) -> Running {
  let mm = max(a.m, b.m);
  return Running(mm, a.s * exp(a.m - mm) + b.s * exp(b.m - mm), a.bad | b.bad);
}

var<private> run_stack: array<Running, 32>;

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG_X;
  if (r >= u.rows) { return; }
  let base = r * u.vocab;
  let t = targets[u.row0 + r];

  if (t == IGNORE_INDEX) {
    if (WITH_GRAD) {
      for (var j = 0u; j < u.vocab; j++) { logits[base + j] = 0.0; }
    }
    losses[u.row0 + r] = 0.0;
    return;
  }
  let valid_target = t >= 0i && u32(t) < u.vocab;
  var target_logit = 0.0;
  if (valid_target) { target_logit = logits[base + u32(t)]; }

  var total = Running(LOWEST, 0.0, 0u);
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var run = Running(LOWEST, 0.0, 0u);
    for (var j = tree_leaf(i); j < u.vocab; j += TREE_WIDTH) {
      let x = logits[base + j];
      if (is_nan_or_pos_inf(x)) {
        run.bad = 1u;
      } else if (!is_neg_inf(x)) {
        if (x > run.m) {
          run.s = run.s * exp(run.m - x) + 1.0;
          run.m = x;
        } else {
          run.s += exp(x - run.m);
        }
      }
    }
    var k = i;
    var level = 0u;
    while ((k & 1u) == 1u) {
      run = merge(run_stack[level], run);
      k = k >> 1u;
      level++;
    }
    run_stack[level] = run;
    total = run;
  }
  let row_max = total.m;
  let row_sum = total.s;
  // row_sum is 0 only when every logit is -inf: logsumexp is -inf and the loss undefined, as in torch.
  let poisoned = total.bad != 0u || !valid_target || row_sum == 0.0;

  var loss = (row_max - target_logit) + log(row_sum);
  if (is_neg_inf(target_logit)) { loss = bitcast<f32>(INF_BITS); }
  if (poisoned) { loss = nan(); }
  losses[u.row0 + r] = loss;
  if (WITH_GRAD) {
    let inv_sum = 1.0 / row_sum;
    for (var j = 0u; j < u.vocab; j++) {
      let x = logits[base + j];
      var p = 0.0;
      if (!is_neg_inf(x)) { p = exp(x - row_max) * inv_sum; }
      if (i32(j) == t) { p -= 1.0; }
      logits[base + j] = select(u.grad_scale * p, nan(), poisoned);
    }
  }
}
