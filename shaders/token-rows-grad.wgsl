// drows[j, c] += sum over m of dlogits[m, ids[j]] * x[m, c]: the gradient of a few rows of an output projection
// logits = x W^T (W (V,C)) without forming the whole (V,C) gradient. Ascending m: deterministic.
// dlogits (M,V), x (M,C), ids (K) i32 (validated 0 <= id < V on the host), drows (K,C)
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.K * u.C) { return; }
  let j = i / u.C;
  let c = i - j * u.C;
  let col = u32(ids[j]);
  var s = 0.0;
  for (var m = 0u; m < u.M; m++) {
    s += dlogits[m * u.V + col] * x[m * u.C + c];
  }
  drows[i] += s;
}
