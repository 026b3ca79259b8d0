// Deterministic sum (or sum of squares) of x[first .. first + n): workgroup w owns out[w].
//   out[w] = (ACCUMULATE ? out[w] : 0) + sum over i = w*WG_X + t + k*stride of f(x[first + i]),  f = SQUARE ? x*x : x
// Each invocation walks a fixed stride, then the workgroup adds its WG_X partials in a fixed tree
// (workgroup-reduce.wgsl) or by subgroupAdd and one barrier (subgroup-reduce.wgsl, the subgroup form), so the result depends only on n and the workgroup count, never on scheduling
// (no float atomics in WGSL anyway).
// A big reduction runs twice: many workgroups into partials, then one workgroup over the partials.

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG_X;
  var acc = 0.0;
  for (var i = wid.x * WG_X + lid.x; i < u.n; i += stride) {
    let v = x[u.first + i];
    if (SQUARE) { acc += v * v; } else { acc += v; }
  }
  let total = reduce_sum(lid.x, acc);
  if (lid.x == 0u) {
    if (ACCUMULATE) { out[wid.x] = out[wid.x] + total; } else { out[wid.x] = total; }
  }
}
