// Shared by attention_mix and attention_mix_t: one output element as a weighted sum of rows of x,
//   sum_{t < count} w[w_base + t * w_step] (* drop[same]) * x[x_base + t * x_step], summed in t order.
// Needs the bindings w, x, drop and the constant HAS_DROP (drop is the dropout keep mask / (1-p); a placeholder
// that is never read when HAS_DROP is false). Masked entries are not skipped: w is exactly 0 there, and 0 * NaN
// stays NaN as in PyTorch.

fn weighted_sum(w_base: u32, w_step: u32, x_base: u32, x_step: u32, count: u32) -> f32 {
  var acc = 0.0;
  for (var t = 0u; t < count; t++) {
    var wt = w[w_base + t * w_step];
    if (HAS_DROP) { wt = wt * drop[w_base + t * w_step]; }
    acc += wt * x[x_base + t * x_step];
  }
  return acc;
}
