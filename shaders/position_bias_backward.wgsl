// dtable[b, h] += sum of dbias[h, q, k] over the (q, k) whose bucket is b.
// Workgroup (x: bucket b, y: head h): its invocations stride over the Tq*Tk cells, then a fixed tree sums
// them, so the result is deterministic without atomics.  dbias (NH,Tq,Tk), buckets (Tq,Tk) u32, dtable (numBuckets,NH)

var<workgroup> partial: array<f32, WG_SIZE>;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let h = wid.y;
  let base = h * u.QK;
  var s = 0.0;
  for (var p = lid; p < u.QK; p += WG_SIZE) {
    if (buckets[p] == b) { s += dbias[base + p]; }
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dtable[b * u.NH + h] += partial[0]; }
}
