// Deterministic sum (or sum of squares) of x (n), as elementwise-reduce.wgsl, with the workgroup's partials
// combined by subgroupAdd and one barrier (subgroup-reduce.wgsl) instead of a barrier tree. Workgroup w owns out[w]:
//   out[w] = (ACCUMULATE ? out[w] : 0) + sum over i = w*WG_X + t + k*stride of f(x[i]),  f = SQUARE ? x*x : x

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG_X;
  var acc = 0.0;
  for (var i = wid.x * WG_X + lid.x; i < u.n; i += stride) {
    let v = x[i];
    if (SQUARE) { acc += v * v; } else { acc += v; }
  }
  let total = subgroup_workgroup_sum(lid.x, acc);
  if (lid.x == 0u) {
    if (ACCUMULATE) { out[wid.x] = out[wid.x] + total; } else { out[wid.x] = total; }
  }
}
