// Backward of out = gelu_new(a) * b.  dout, a, b, da, db (n); da and db are overwritten.
//   db = dout * gelu_new(a),  da = dout * b * gelu_new'(a),
//   gelu_new'(x) = s + x * 2 s(1-s) * K (1 + 3A x^2),  s = sigmoid(2z), s(1-s) = t / (1+t)^2 (gelu-new.wgsl).
// DROP: dout is the gradient of the dropped-out product, taken through the dropout first.
// Past |x| = 10 the second term is below 1e-35; dropping it there avoids inf * 0 when x^3 overflows.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let x = a[i];
  let p = gelu_new_parts(x);
  let ds = p.t / ((1.0 + p.t) * (1.0 + p.t));
  let tail = select(x * 2.0 * ds * GELU_K * (1.0 + 3.0 * GELU_A * x * x), 0.0, abs(x) > 10.0);
  var g = dout[i];
  if (DROP) { g = dropped(g, i); }
  db[i] = g * (x * p.s);
  da[i] = g * b[i] * (p.s + tail);
}
