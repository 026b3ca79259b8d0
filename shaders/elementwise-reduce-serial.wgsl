// Deterministic sum (or sum of squares) of x[first .. first + n) with no workgroup memory and no barriers:
// invocation w does all of elementwise-reduce.wgsl's workgroup w, its TREE_WIDTH strided partials combined by
// tree-sum.wgsl in the workgroup's order, so out[w] equals the workgroup form's bit for bit:
//   out[w] = (ACCUMULATE ? out[w] : 0) + sum over i = w*TREE_WIDTH + t + k*stride of f(x[first + i]),
//   f = SQUARE ? x*x : x
// with stride = parts * TREE_WIDTH. A big reduction runs twice, as in the workgroup form.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = gid.x;
  if (w >= u.parts) { return; }
  let stride = u.parts * TREE_WIDTH;
  var total = 0.0;
  for (var t = 0u; t < TREE_WIDTH; t++) {
    var acc = 0.0;
    for (var i = w * TREE_WIDTH + tree_leaf(t); i < u.n; i += stride) {
      let v = x[u.first + i];
      if (SQUARE) { acc += v * v; } else { acc += v; }
    }
    total = tree_push(t, acc);
  }
  if (ACCUMULATE) { out[w] = out[w] + total; } else { out[w] = total; }
}
