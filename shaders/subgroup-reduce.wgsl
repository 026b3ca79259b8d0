// Sum across a workgroup with one barrier, for the subgroup variants of the row kernels: subgroupAdd sums each
// subgroup, its first lane posts the sum (the others post 0), and every invocation adds the WG_SIZE posts in
// index order. Which invocations share a subgroup is up to the device, so nothing here assumes a layout; for a
// given device the order is fixed, so the result is deterministic. Call it from uniform control flow; the
// caller must not call it twice without a barrier in between (it reuses sg_partial).

var<workgroup> sg_partial: array<f32, WG_SIZE>;

fn subgroup_workgroup_sum(lid: u32, lane: u32, value: f32) -> f32 {
  let s = subgroupAdd(value);
  sg_partial[lid] = select(0.0, s, lane == 0u);
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WG_SIZE; i++) { total += sg_partial[i]; }
  return total;
}
