// Cross-entropy over the vocabulary as cross-entropy.wgsl (same outputs, same NaN / inf rules), one invocation
// per row: no workgroup memory, no barriers, for CPU adapters. The row's running (max, sum of exp(x - max)) is
// kept for each of the workgroup form's TREE_WIDTH strides and merged in its tree (tree_leaf from tree-sum.wgsl,
// a binary-counter stack of running pairs here), so the loss and gradient equal the workgroup form's bit for bit.
// logits (rows, vocab) is this chunk's slice; losses, targets (N) are whole, indexed from row0.
// Helpers: cross-entropy-common.wgsl.

var<private> run_stack: array<Running, 32>;

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG_X;
  if (r >= u.rows) { return; }
  let base = r * u.vocab;
  let t = targets[u.row0 + r];

  if (t == IGNORE_INDEX) {
    if (WITH_GRAD) { zero_row(base, 0u, 1u); }
    losses[u.row0 + r] = 0.0;
    return;
  }
  let valid_target = t >= 0i && u32(t) < u.vocab;
  var target_logit = 0.0;
  if (valid_target) { target_logit = logits[base + u32(t)]; }

  var total = Running(LOWEST, 0.0, 0u);
  for (var i = 0u; i < TREE_WIDTH; i++) {
    var run = scan_running(base, tree_leaf(i), TREE_WIDTH);
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
  let poisoned = is_poisoned(total, valid_target);
  losses[u.row0 + r] = row_loss(total, target_logit, poisoned);
  if (WITH_GRAD) { write_grad(base, 0u, 1u, t, total, poisoned, row_grad_scale(u.row0 + r)); }
}
