// Sum of squares over up to REPEAT tensors x_k (u.n_k elements each) in one dispatch, one partial per workgroup:
//   partials[u.base + w] = sum over k, then over j = w*WG_X + t + r*stride < n_k, of x_k[j]^2
// Each invocation walks every tensor at a fixed stride, then the workgroup adds its partials in a fixed tree
// (workgroup-reduce.wgsl): the result depends only on the sizes and the workgroup count, never on scheduling.
@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG_X;
  var acc = 0.0;
  //@each
  for (var j = wid.x * WG_X + lid.x; j < u.n_@K; j += stride) {
    let x = x_@K[j];
    acc += x * x;
  }
  //@end
  let total = workgroup_reduce(lid.x, acc, false);
  if (lid.x == 0u) {
    partials[u.base + wid.x] = total;
  }
}
