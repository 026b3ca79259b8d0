// da = dout * (a > 0), overwritten; 0 at a = 0 and at NaN like torch's threshold_backward.  dout, a, da (n)
// DROP: dout is the gradient of the dropped-out relu, taken through the dropout first.
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  var g = dout[i];
  if (DROP) { g = dropped(g, i); }
  da[i] = select(0.0, g, a[i] > 0.0);
}
