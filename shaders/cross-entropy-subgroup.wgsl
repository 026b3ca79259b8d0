// merge_workgroup for cross-entropy.wgsl by subgroup operations and one barrier instead of a barrier tree: each
// subgroup takes its max, rescales and adds its sums, ORs its flags; one elected invocation posts the triple (the
// others post the identity), and every invocation merges the WG_X posts in index order.

var<workgroup> post_max: array<f32, WG_X>;
var<workgroup> post_sum: array<f32, WG_X>;
var<workgroup> post_bad: array<u32, WG_X>;

fn merge_workgroup(lid: u32, run: Running) -> Running {
  let sub_max = subgroupMax(run.m);
  let sub_sum = subgroupAdd(run.s * exp(run.m - sub_max));
  let sub_bad = subgroupOr(run.bad);
  let first = subgroupElect();
  post_max[lid] = select(LOWEST, sub_max, first);
  post_sum[lid] = select(0.0, sub_sum, first);
  post_bad[lid] = select(0u, sub_bad, first);
  workgroupBarrier();
  var total = Running(LOWEST, 0.0, 0u);
  for (var i = 0u; i < WG_X; i++) {
    total = merge(total, Running(post_max[i], post_sum[i], post_bad[i]));
  }
  return total;
}
