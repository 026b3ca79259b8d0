// out[h, q, k] = table[buckets[q, k], h].  buckets (Tq,Tk) u32, table (numBuckets,NH), out (NH,Tq,Tk); QK = Tq*Tk
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.QK * u.NH) { return; }
  let h = i / u.QK;
  let p = i - h * u.QK;
  out[i] = table[buckets[p] * u.NH + h];
}
