// Deterministic reduction across a workgroup, shared by the row kernels (attention scores and dscores,
// rmsnorm and its backward, position-bias backward) and the elementwise sum: each invocation brings one value
// and a fixed tree combines them, so the same inputs always combine in the same order (no float atomics).
// WG_SIZE must be a power of two. It has barriers: call it from uniform control flow.

var<workgroup> partial: array<f32, WG_SIZE>;

// Sum (or max when take_max) of value over the workgroup, returned to every invocation. The barrier at the
// end lets the caller reduce again at once.
fn workgroup_reduce(lid: u32, value: f32, take_max: bool) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WG_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let a = partial[lid];
      let b = partial[lid + stride];
      partial[lid] = select(a + b, max(a, b), take_max);
    }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

// The row reduction every workgroup-per-row kernel calls, so one body serves both forms: subgroup-reduce.wgsl
// defines the same two with subgroup operations, and the program picks the form by its include.
fn reduce_sum(lid: u32, value: f32) -> f32 {
  return workgroup_reduce(lid, value, false);
}

fn reduce_max(lid: u32, value: f32) -> f32 {
  return workgroup_reduce(lid, value, true);
}
