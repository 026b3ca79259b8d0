// T5 gated-gelu FFN middle: out = gelu_new(a) * b, a = wi_0 x, b = wi_1 x.  a, b, out (n)
// gelu_new(x) = 0.5 x (1 + tanh z) = x * sigmoid(2z), z = sqrt(2/pi) (x + 0.044715 x^3). With t = exp(-2|z|)
// in (0, 1] nothing overflows: huge x gives x, huge negative x gives -0, and NaN stays NaN.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let x = a[i];
  let z = GELU_K * (x + GELU_A * x * x * x);
  let t = exp(-2.0 * abs(z));
  let s = select(t / (1.0 + t), 1.0 / (1.0 + t), z >= 0.0);
  out[i] = (x * s) * b[i];
}
