// out = relu(a), NaN kept (as torch.relu), then dropped out with DROP.  a, out (n)
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let x = a[i];
  var v = select(x, 0.0, x <= 0.0);
  if (DROP) { v = dropped(v, i); }
  out[i] = v;
}
