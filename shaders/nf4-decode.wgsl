// Shared by the NF4 kernels that read a weight (dequantize, dequantize-matmul). Needs nf4-common.wgsl before it,
// the scale bindings codes, absmax, qabsmax, absmax2, dynmap and the uniform nb2 (SCALE_BINDINGS in nf4.ts),
// and the constants DOUBLE and NF4_C0..15 from the program table.

var<private> NF4: array<f32, 16> = array<f32, 16>(NF4_C0, NF4_C1, NF4_C2, NF4_C3, NF4_C4, NF4_C5, NF4_C6, NF4_C7,
  NF4_C8, NF4_C9, NF4_C10, NF4_C11, NF4_C12, NF4_C13, NF4_C14, NF4_C15);

// The 4-bit code of element e.
fn nf4_code_at(e: u32) -> u32 {
  return (codes[e >> 3u] >> nf4_shift(e)) & 15u;
}

// Scale of 64-block blk: absmax, or with DOUBLE the 8-bit code qabsmax rebuilt as
// dynmap[q] * absmax2[blk / 256] + offset (the offset is stored at absmax2[nb2]).
fn block_scale(blk: u32) -> f32 {
  if (DOUBLE) {
    let q = (qabsmax[blk >> 2u] >> (8u * (blk & 3u))) & 255u;
    let scaled = dynmap[q] * absmax2[blk >> 8u];
    return scaled + absmax2[u.nb2];
  }
  return absmax[blk];
}

// The NF4 values of four codes (each 0..15), picked by a select tree on the code bits: no indexed
// (per-invocation gathered) table read, which CPU backends such as SwiftShader run lane by lane.
fn nf4_values(c: vec4<u32>) -> vec4<f32> {
  let b0 = (c & vec4<u32>(1u)) != vec4<u32>(0u);
  let b1 = (c & vec4<u32>(2u)) != vec4<u32>(0u);
  let b2 = (c & vec4<u32>(4u)) != vec4<u32>(0u);
  let b3 = (c & vec4<u32>(8u)) != vec4<u32>(0u);
  let p0 = select(vec4<f32>(NF4_C0), vec4<f32>(NF4_C1), b0);
  let p1 = select(vec4<f32>(NF4_C2), vec4<f32>(NF4_C3), b0);
  let p2 = select(vec4<f32>(NF4_C4), vec4<f32>(NF4_C5), b0);
  let p3 = select(vec4<f32>(NF4_C6), vec4<f32>(NF4_C7), b0);
  let p4 = select(vec4<f32>(NF4_C8), vec4<f32>(NF4_C9), b0);
  let p5 = select(vec4<f32>(NF4_C10), vec4<f32>(NF4_C11), b0);
  let p6 = select(vec4<f32>(NF4_C12), vec4<f32>(NF4_C13), b0);
  let p7 = select(vec4<f32>(NF4_C14), vec4<f32>(NF4_C15), b0);
  let q0 = select(p0, p1, b1);
  let q1 = select(p2, p3, b1);
  let q2 = select(p4, p5, b1);
  let q3 = select(p6, p7, b1);
  return select(select(q0, q1, b2), select(q2, q3, b2), b3);
}
