// T5 gated-gelu FFN middle: out = gelu_new(a) * b, a = wi_0 x, b = wi_1 x.  a, b, out (n)
// gelu_new's parts come from gelu-new.wgsl. DROP: out = dropout(out) (shaders/dropout-fused.wgsl).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let x = a[i];
  var v = (x * gelu_new_parts(x).s) * b[i];
  if (DROP) { v = dropped(v, i); }
  out[i] = v;
}
