// out[i] = f16(inp[i]) (round to nearest even; beyond the f16 range gives +-inf).  inp (n) f32, out (n) f16
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  out[i] = f16(inp[i]);
}
