// NF4 quantize, bit-exact with bitsandbytes' float32 algorithm. One invocation per block of BLOCK elements:
//   w (n) -> absmax (nblocks), codes (ceil(n/8) u32 words; byte j = element 2j high nibble, 2j+1 low nibble,
//   byte j in bits 8*(j%4) of word j/4). A block is 8 whole words, so invocations never share a word.
// Full blocks multiply by f32(1/absmax), the tail block divides; both divisions are exact (div_rn in
// nf4-common.wgsl, which also holds the nibble layout). Thresholds NF4_T0..14 come from the program table.

// How many midpoints lie strictly below s: the nearest code, ties to the lower one.
fn nf4_code(s: f32) -> u32 {
  var q = 0u;
  q += select(0u, 1u, s > NF4_T0);
  q += select(0u, 1u, s > NF4_T1);
  q += select(0u, 1u, s > NF4_T2);
  q += select(0u, 1u, s > NF4_T3);
  q += select(0u, 1u, s > NF4_T4);
  q += select(0u, 1u, s > NF4_T5);
  q += select(0u, 1u, s > NF4_T6);
  q += select(0u, 1u, s > NF4_T7);
  q += select(0u, 1u, s > NF4_T8);
  q += select(0u, 1u, s > NF4_T9);
  q += select(0u, 1u, s > NF4_T10);
  q += select(0u, 1u, s > NF4_T11);
  q += select(0u, 1u, s > NF4_T12);
  q += select(0u, 1u, s > NF4_T13);
  q += select(0u, 1u, s > NF4_T14);
  return q;
}

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = gid.x + gid.y * nwg.x * WG_X;
  if (b >= u.nblocks) { return; }
  let start = b * BLOCK;
  let end = min(u.n, start + BLOCK);
  var amax = 0.0;
  for (var i = start; i < end; i++) { amax = max(amax, abs(w[i])); }
  absmax[b] = amax;
  let full = end - start == BLOCK;
  let r = div_rn(1.0, amax);
  for (var wi = start / 8u; wi < (end + 7u) / 8u; wi++) {
    var word = 0u;
    for (var k = 0u; k < 8u; k++) {
      let i = wi * 8u + k;
      var q = 0u;
      if (i < end) {
        // bnb computes 0 * inf = NaN for an all-zero block, and its tree sends NaN to code 0.
        if (amax > 0.0) {
          let x = w[i];
          var s = x * r;
          if (!full) {
            let mag = div_rn(abs(x), amax);
            s = select(mag, -mag, x < 0.0);
          }
          q = nf4_code(clamp(s, -1.0, 1.0));
        }
      } else if (i == u.n && (u.n & 1u) == 1u) {
        q = ZERO_CODE;
      }
      word |= q << nf4_shift(i);
    }
    codes[wi] = word;
  }
}
