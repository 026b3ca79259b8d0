// Shared by cross-entropy.wgsl and cross-entropy-serial.wgsl: the bit tests and the NaN / inf values they need.

const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

// Bit tests: WGSL lets compilers assume floats are never NaN or infinite, so x != x is not reliable.
fn is_nan_or_pos_inf(x: f32) -> bool {
  let b = bitcast<u32>(x);
  return b == 0x7f800000u || (b & 0x7fffffffu) > 0x7f800000u;
}

fn is_neg_inf(x: f32) -> bool {
  return bitcast<u32>(x) == 0xff800000u;
}

// Private, not const: WGSL refuses a NaN or infinite constant expression, so they are made at run time.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;

fn nan() -> f32 {
  return bitcast<f32>(NAN_BITS);
}
