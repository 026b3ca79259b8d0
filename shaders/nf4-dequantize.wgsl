// NF4 dequantize: out (n) f32 = code * scale, one invocation per element. Codes and scales are read by
// nf4-decode.wgsl: absmax per 64-block, or with DOUBLE dynmap[qabsmax] * absmax2[block / 256] + offset.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG_X;
  if (e >= u.n) { return; }
  out[e] = NF4[nf4_code_at(e)] * block_scale(e >> 6u);
}
