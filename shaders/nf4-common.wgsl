// Shared by the NF4 kernels: where a 4-bit code sits in the packed words, and an exact f32 divider.
// Layout (bitsandbytes' uint8 array, four bytes per u32 word): element e is in byte e / 2, the high nibble for
// even e and the low nibble for odd e; byte j is bits 8*(j%4) of word j/4, so word e / 8 holds element e.

// Bit offset of element e's nibble inside word e / 8.
fn nf4_shift(e: u32) -> u32 {
  return 8u * ((e >> 1u) & 3u) + select(4u, 0u, (e & 1u) == 1u);
}

// Correctly rounded a / b for a >= 0 and a normal b > 0 (restoring division of the 24-bit significands).
// WGSL's f32 division may be off by 2.5 ulp; bitsandbytes' results need the exact quotient.
// A quotient below the smallest normal float comes back as 0: every such value is NF4 code 7 anyway.
// (WGSL may not produce inf in a constant, and none is needed: an overflow saturates.)
fn div_rn(a: f32, b: f32) -> f32 {
  let ab = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let ea = i32(ab >> 23u);
  let eb = i32(bb >> 23u);
  if (ea == 0) { return 0.0; }
  var ma = (ab & 0x7fffffu) | 0x800000u;
  let mb = (bb & 0x7fffffu) | 0x800000u;
  var e = ea - eb + 127;
  if (ma < mb) {
    ma = ma << 1u;
    e = e - 1;
  }
  var q = 1u;
  var r = ma - mb;
  for (var i = 0u; i < 23u; i++) {
    r = r << 1u;
    q = q << 1u;
    if (r >= mb) {
      r = r - mb;
      q = q | 1u;
    }
  }
  let twice = r << 1u;
  if (twice > mb || (twice == mb && (q & 1u) == 1u)) { q = q + 1u; }
  if (q == 0x1000000u) {
    q = 0x800000u;
    e = e + 1;
  }
  if (e <= 0) { return 0.0; }
  if (e >= 255) { return bitcast<f32>(0x7f7fffffu); } // saturates; quotients here are at most 2^126
  return bitcast<f32>((u32(e) << 23u) | (q & 0x7fffffu));
}
