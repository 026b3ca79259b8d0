// merge_workgroup for cross-entropy.wgsl: the WG_X running pairs merged in a fixed barrier tree in workgroup memory.

var<workgroup> red_max: array<f32, WG_X>;
var<workgroup> red_sum: array<f32, WG_X>;
var<workgroup> red_bad: array<u32, WG_X>;

fn merge_workgroup(lid: u32, run: Running) -> Running {
  red_max[lid] = run.m;
  red_sum[lid] = run.s;
  red_bad[lid] = run.bad;
  workgroupBarrier();
  for (var half = WG_X / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      let m1 = red_max[lid];
      let m2 = red_max[lid + half];
      let mm = max(m1, m2);
      red_sum[lid] = red_sum[lid] * exp(m1 - mm) + red_sum[lid + half] * exp(m2 - mm);
      red_max[lid] = mm;
      red_bad[lid] = red_bad[lid] | red_bad[lid + half];
    }
    workgroupBarrier();
  }
  return Running(red_max[0], red_sum[0], red_bad[0]);
}
