// out[n, c] = table[ids[n], c].  ids (N) i32 (validated 0 <= id < V on the host), table (V,C), out (N,C)
// DROP: out = dropout(out), element i = n * C + c of the mask (shaders/dropout-fused.wgsl).
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.N * u.C) { return; }
  let n = i / u.C;
  let c = i - n * u.C;
  var v = table[u32(ids[n]) * u.C + c];
  if (DROP) { v = dropped(v, i); }
  out[i] = v;
}
