// dtable[b, h] += sum of dbias[h, q, k] over the (q, k) whose bucket is b.
// The bucket depends only on the relative position k - q, so the Tq*Tk cells fall into Tq+Tk-1 diagonals of
// one bucket each. One workgroup per head: in chunks of WG_SIZE diagonals, each invocation sums one diagonal
// (q ascending), then the invocation owning bucket b adds the chunk's diagonals of bucket b (diagonal
// ascending). Every cell is read once and the order is fixed, so the result is deterministic without atomics;
// two barriers per chunk instead of a tree per (bucket, head).
// dbias (NH,Tq,Tk), buckets (Tq,Tk) u32 (constant along each diagonal), dtable (numBuckets,NH)

var<workgroup> diag_sum: array<f32, WG_SIZE>;
var<workgroup> diag_bucket: array<u32, WG_SIZE>;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wid.x;
  let base = h * u.Tq * u.Tk;
  let diagonals = u.Tq + u.Tk - 1u;
  // Diagonal d holds the cells with k - q = d - (Tq - 1); its first cell is (q0, k0).
  var acc: array<f32, BUCKETS_PER_INVOCATION>;
  for (var d0 = 0u; d0 < diagonals; d0 += WG_SIZE) {
    let d = d0 + lid;
    var s = 0.0;
    var bucket = 0xffffffffu;
    if (d < diagonals) {
      let q0 = select(0u, u.Tq - 1u - d, d < u.Tq - 1u);
      let k0 = d + q0 - (u.Tq - 1u);
      let len = min(u.Tq - q0, u.Tk - k0);
      bucket = buckets[q0 * u.Tk + k0];
      var p = base + q0 * u.Tk + k0;
      for (var i = 0u; i < len; i++) {
        s += dbias[p];
        p += u.Tk + 1u;
      }
    }
    diag_sum[lid] = s;
    diag_bucket[lid] = bucket;
    workgroupBarrier();
    let n = min(WG_SIZE, diagonals - d0);
    for (var j = 0u; j < BUCKETS_PER_INVOCATION; j++) {
      let b = lid + j * WG_SIZE;
      for (var e = 0u; e < n; e++) {
        if (diag_bucket[e] == b) { acc[j] += diag_sum[e]; }
      }
    }
    workgroupBarrier();
  }
  for (var j = 0u; j < BUCKETS_PER_INVOCATION; j++) {
    let b = lid + j * WG_SIZE;
    if (b < u.numBuckets) { dtable[b * u.NH + h] += acc[j]; }
  }
}
