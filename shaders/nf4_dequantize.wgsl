// NF4 dequantize: out (n) f32 = code * scale, one invocation per element. Scales as in nf4_matmul.wgsl:
// absmax per 64-block, or with DOUBLE dynmap[qabsmax] * absmax2[block / 256] + absmax2[nb2] (the offset).

var<private> NF4: array<f32, 16> = array<f32, 16>(NF4_C0, NF4_C1, NF4_C2, NF4_C3, NF4_C4, NF4_C5, NF4_C6, NF4_C7,
  NF4_C8, NF4_C9, NF4_C10, NF4_C11, NF4_C12, NF4_C13, NF4_C14, NF4_C15);

fn block_scale(blk: u32) -> f32 {
  if (DOUBLE) {
    let q = (qabsmax[blk >> 2u] >> (8u * (blk & 3u))) & 255u;
    let scaled = dynmap[q] * absmax2[blk >> 8u];
    return scaled + absmax2[u.nb2];
  }
  return absmax[blk];
}

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG_X;
  if (e >= u.n) { return; }
  let q = (codes[e >> 3u] >> (8u * ((e >> 1u) & 3u) + select(4u, 0u, (e & 1u) == 1u))) & 15u;
  out[e] = NF4[q] * block_scale(e >> 6u);
}
