// Cross-entropy over the vocabulary, one workgroup per row, in place on the logits:
//   losses[row0 + r] = logsumexp(logits[r, :]) - logits[r, t]          (0 when t = -100)
//   WITH_GRAD: logits[r, j] = scale * (softmax(logits[r, :])_j - [j == t])   (a 0 row when t = -100), scale =
//   grad_scale for rows before split_row, grad_scale_rest after
// logits (rows, vocab) is this chunk's slice; losses, targets (N) are whole, indexed from row0.
// A NaN or +inf logit, a row of only -inf, or a target outside [0, vocab) makes the row's loss and gradient NaN.
// -inf logits count as probability 0; a -inf target logit gives an infinite loss. IGNORE_INDEX (-100) comes from the
// program table (src/common/tokenizer-types.ts).
// Each invocation keeps a running (max, sum of exp(x - max)) over a fixed stride of the row, and the workgroup
// merges them with merge_workgroup: a fixed barrier tree (cross-entropy-tree.wgsl) or subgroup operations and one
// barrier (cross-entropy-subgroup.wgsl), whichever the program includes. Two reads of the row, deterministic.
// Helpers: cross-entropy-common.wgsl.

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= u.rows) { return; }
  let base = r * u.vocab;
  let t = targets[u.row0 + r];

  if (t == IGNORE_INDEX) {
    if (WITH_GRAD) { zero_row(base, lid.x, WG_X); }
    if (lid.x == 0u) { losses[u.row0 + r] = 0.0; }
    return;
  }
  let valid_target = t >= 0i && u32(t) < u.vocab;
  // Read before any invocation writes the row (in place): every write comes after merge_workgroup's barriers.
  var target_logit = 0.0;
  if (valid_target) { target_logit = logits[base + u32(t)]; }

  let total = merge_workgroup(lid.x, scan_running(base, lid.x, WG_X));
  let poisoned = is_poisoned(total, valid_target);
  if (lid.x == 0u) { losses[u.row0 + r] = row_loss(total, target_logit, poisoned); }
  if (WITH_GRAD) { write_grad(base, lid.x, WG_X, t, total, poisoned, row_grad_scale(u.row0 + r)); }
}
