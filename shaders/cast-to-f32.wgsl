// out[i] = f32(inp[i]), or out[i] += f32(inp[i]) when accumulating.  inp (n) f16, out (n) f32
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let v = f32(inp[i]);
  out[i] = select(v, out[i] + v, u.accumulate != 0u);
}
