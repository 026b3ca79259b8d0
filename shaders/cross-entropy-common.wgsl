// Shared by the cross-entropy forms (cross-entropy.wgsl, cross-entropy-serial.wgsl): the bit tests, the NaN / inf values
// they need, the running (max, sum) pair, its scan over a row and the loss and gradient written from it.

const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

// Bit tests: WGSL lets compilers assume floats are never NaN or infinite, so x != x is not reliable.
fn is_nan_or_pos_inf(x: f32) -> bool {
  let b = bitcast<u32>(x);
  return b == 0x7f800000u || (b & 0x7fffffffu) > 0x7f800000u;
}

fn is_neg_inf(x: f32) -> bool {
  return bitcast<u32>(x) == 0xff800000u;
}

// Private, not const: WGSL refuses a NaN or infinite constant expression, so they are made at run time.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;

fn nan() -> f32 {
  return bitcast<f32>(NAN_BITS);
}

// A row's running softmax denominator over the logits seen so far.
struct Running {
  m: f32,   // max so far (LOWEST before any finite logit)
  s: f32,   // sum of exp(x - m)
  bad: u32, // a NaN or +inf logit was seen
}

// left then right: every form merges in the workgroup tree's order (red_*[l] with red_*[l + half]).
fn merge(a: Running, b: Running) -> Running {
  let mm = max(a.m, b.m);
  return Running(mm, a.s * exp(a.m - mm) + b.s * exp(b.m - mm), a.bad | b.bad);
}

// The running pair over logits[base + j] for j = first, first + stride, ... < vocab.
fn scan_running(base: u32, first: u32, stride: u32) -> Running {
  var run = Running(LOWEST, 0.0, 0u);
  for (var j = first; j < u.vocab; j += stride) {
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
  return run;
}

// poisoned: a bad logit, an invalid target or an all -inf row (row sum 0: logsumexp -inf, undefined as in torch).
fn is_poisoned(total: Running, valid_target: bool) -> bool {
  return total.bad != 0u || !valid_target || total.s == 0.0;
}

fn row_loss(total: Running, target_logit: f32, poisoned: bool) -> f32 {
  var loss = (total.m - target_logit) + log(total.s);
  if (is_neg_inf(target_logit)) { loss = bitcast<f32>(INF_BITS); }
  if (poisoned) { loss = nan(); }
  return loss;
}

// The gradient of an ignored row (t == IGNORE_INDEX) over j = first, first + stride, ...
fn zero_row(base: u32, first: u32, stride: u32) {
  for (var j = first; j < u.vocab; j += stride) { logits[base + j] = 0.0; }
}

// The gradient scale of global row `row`: grad_scale before split_row, grad_scale_rest from it (a pass holding
// two tasks whose means have different weights and counts).
fn row_grad_scale(row: u32) -> f32 {
  return select(u.grad_scale_rest, u.grad_scale, row < u.split_row);
}

// Overwrite logits[base + j] (j = first, first + stride, ...) with the gradient, scaled by `scale`.
fn write_grad(base: u32, first: u32, stride: u32, t: i32, total: Running, poisoned: bool, scale: f32) {
  let inv_sum = 1.0 / total.s;
  for (var j = first; j < u.vocab; j += stride) {
    let x = logits[base + j];
    var p = 0.0;
    if (!is_neg_inf(x)) { p = exp(x - total.m) * inv_sum; }
    if (i32(j) == t) { p -= 1.0; }
    logits[base + j] = select(scale * p, nan(), poisoned);
  }
}
