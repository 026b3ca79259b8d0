// dtable[b, h] += sum of dbias[h, q, k] over the (q, k) whose bucket is b.
// Workgroup (x: bucket b, y: head h): its invocations stride over the Tq*Tk cells, then a fixed tree sums
// them (workgroup-reduce.wgsl), so the result is deterministic without atomics.
// dbias (NH,Tq,Tk), buckets (Tq,Tk) u32, dtable (numBuckets,NH)

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let h = wid.y;
  let base = h * u.QK;
  var s = 0.0;
  for (var p = lid; p < u.QK; p += WG_SIZE) {
    if (buckets[p] == b) { s += dbias[base + p]; }
  }
  let total = workgroup_reduce(lid, s, false);
  if (lid == 0u) { dtable[b * u.NH + h] += total; }
}
