// Sum across a workgroup with one barrier, for the subgroup variants of the row kernels: subgroupAdd sums each
// subgroup, one elected invocation of it posts the sum (the others post 0), and every invocation adds the WG_SIZE
// posts in index order. Which invocations share a subgroup is up to the device, so nothing here assumes a layout; for a
// given device the order is fixed, so the result is deterministic. Call it from uniform control flow; the
// caller must not call it twice without a barrier in between (it reuses sg_partial).

var<workgroup> sg_partial: array<f32, WG_SIZE>;

fn subgroup_workgroup_sum(lid: u32, value: f32) -> f32 {
  let s = subgroupAdd(value);
  sg_partial[lid] = select(0.0, s, subgroupElect());
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WG_SIZE; i++) { total += sg_partial[i]; }
  return total;
}

var<workgroup> sg_partial_max: array<f32, WG_SIZE>;

// Max across the workgroup with one barrier: every lane posts its subgroup's max (max needs no identity, and
// posting it from every lane keeps the layout free), then every invocation takes the max of the posts. Its own
// array, so a row kernel can take a max and then a sum (subgroup_workgroup_sum) with no barrier in between.
fn subgroup_workgroup_max(lid: u32, value: f32) -> f32 {
  sg_partial_max[lid] = subgroupMax(value);
  workgroupBarrier();
  var m = sg_partial_max[0];
  for (var i = 1u; i < WG_SIZE; i++) { m = max(m, sg_partial_max[i]); }
  return m;
}

// The row reduction every workgroup-per-row kernel calls (the same two as in workgroup-reduce.wgsl), so the
// subgroup form of such a kernel is its workgroup body with this include instead. reduce_max then reduce_sum
// need no barrier in between (separate arrays); two reduce_sum calls do.
fn reduce_sum(lid: u32, value: f32) -> f32 {
  return subgroup_workgroup_sum(lid, value);
}

fn reduce_max(lid: u32, value: f32) -> f32 {
  return subgroup_workgroup_max(lid, value);
}
