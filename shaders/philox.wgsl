// Philox4x32-10 in u32 arithmetic (src/gpu/kernels/dropout.ref.ts computes the same words on the CPU), shared by
// every kernel that draws a dropout mask, so a mask drawn in one kernel is regenerated bit for bit in another.

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// (hi, lo) of the 64-bit product a*b from 16-bit halves: WGSL has no 64-bit integers.
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) { k += vec2<u32>(PHILOX_W0, PHILOX_W1); }
    let p0 = mulhilo(PHILOX_M0, c.x);
    let p1 = mulhilo(PHILOX_M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// Dropout's keep test for element i of a site: the first word of counter (i, stream, 0, 0) at or above threshold.
fn dropout_keeps(i: u32, stream: u32, key: vec2<u32>, threshold: u32) -> bool {
  return philox4x32_10(vec4<u32>(i, stream, 0u, 0u), key).x >= threshold;
}
