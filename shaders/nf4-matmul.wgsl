// Matmul against an NF4 weight, dequantized in registers as it is read (no full dequantized copy):
//   forward  (BACKWARD false): out (M,J) = alpha * a (M,K) . W^T, W (J,K)   [inp (N,C), W (OC,C), out (N,OC)]
//   backward (BACKWARD true):  out (M,J) = alpha * a (M,K) . W,   W (K,J)   [dout (N,OC), W (OC,C), dinp (N,C)]
// with out += instead of = when u.accum is 1. W is row-major with u.wcols columns; element e has its code in
// nibble e of `codes` and its scale from block e / 64 (nf4-decode.wgsl). T is the storage and dequantization
// dtype of a/out (f32, or f16 where the adapter has shader-f16); products accumulate in f32.
// Register blocking as in matmul-reg4.wgsl, no workgroup memory: every invocation decodes 8 consecutive weights
// of a row at a time (one packed word, one block scale when ALIGNED) and uses each of them for 16 rows of a, so
// the decode (shifts, a select tree per code, the scale product) is paid once per 16 rows.
//   forward:  an invocation owns out rows m0..m0+15, columns j0..j0+7; per step 8 k of 8 weight rows.
//   backward: an invocation owns out rows m0..m0+15, columns j0..j0+7; per step 4 k (4 weight rows, 8 columns).
// Sixteen 4x4 f32 accumulators (128 values) per invocation: CPU backends spill some, which costs less than
// decoding again; the host's grid is (J / 64, M / 128) workgroups of 8 x 8.
// WGSL matrices are column-major (m[c] is column c), so "mat[c][i]" below reads column c, row i.
// ALIGNED (host: wcols % 8 == 0) means every chunk decoded starts a word and lies in one 64-block.

const LANE_LO = vec4<u32>(0u, 1u, 2u, 3u);
const LANE_HI = vec4<u32>(4u, 5u, 6u, 7u);

struct Eight {
  lo: vec4<f32>,
  hi: vec4<f32>,
}

// A packed word with its nibbles reordered so that element i of the word is bits 4i..4i+3.
fn nibble_stream(w: u32) -> u32 {
  return ((w >> 4u) & 0x0f0f0f0fu) | ((w & 0x0f0f0f0fu) << 4u);
}

// Weights e..e+7 (flat row-major indices into W), dequantized in T and widened; those from n on are 0.
fn weights8(e: u32, n: u32) -> Eight {
  var lo: vec4<u32>;
  var hi: vec4<u32>;
  var slo: vec4<f32>;
  var shi: vec4<f32>;
  if (ALIGNED) {
    let w = vec4<u32>(codes[e >> 3u]);
    // element i's nibble: the high one of byte i/2 for even i, the low one for odd i (nf4-common.wgsl)
    lo = (w >> vec4<u32>(4u, 0u, 12u, 8u)) & vec4<u32>(15u);
    hi = (w >> vec4<u32>(20u, 16u, 28u, 24u)) & vec4<u32>(15u);
    slo = vec4<f32>(block_scale(e >> 6u));
    shi = slo;
  } else {
    let s = 4u * (e & 7u);
    var st = nibble_stream(codes[e >> 3u]);
    if (s != 0u) { st = (st >> s) | (nibble_stream(codes[(e >> 3u) + 1u]) << (32u - s)); }
    lo = (vec4<u32>(st) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u);
    hi = (vec4<u32>(st) >> vec4<u32>(16u, 20u, 24u, 28u)) & vec4<u32>(15u);
    // the eight may run into the next 64-block
    let s0 = vec4<f32>(block_scale(e >> 6u));
    let s1 = vec4<f32>(block_scale((e >> 6u) + 1u));
    let inb = e & 63u;
    slo = select(s0, s1, vec4<u32>(inb) + LANE_LO >= vec4<u32>(64u));
    shi = select(s0, s1, vec4<u32>(inb) + LANE_HI >= vec4<u32>(64u));
  }
  var r = Eight(vec4<f32>(vec4<T>(nf4_values(lo)) * vec4<T>(slo)), vec4<f32>(vec4<T>(nf4_values(hi)) * vec4<T>(shi)));
  if (n < 8u) {
    r.lo = select(vec4<f32>(0.0), r.lo, LANE_LO < vec4<u32>(n));
    r.hi = select(vec4<f32>(0.0), r.hi, LANE_HI < vec4<u32>(n));
  }
  return r;
}

// a[p..p+3] widened to f32; those from n on are 0 (never read past the row).
fn a4(p: u32, n: u32) -> vec4<f32> {
  var v = vec4<f32>(f32(a[p]), f32(a[p + 1u]), f32(a[p + 2u]), f32(a[p + 3u]));
  if (n < 4u) { v = select(vec4<f32>(0.0), v, LANE_LO < vec4<u32>(n)); }
  return v;
}

// SEG2 (f32 only): + alpha2 * op(A2) op(B2), a LoRA adapter's layer beside the frozen weight (matmul-second.wgsl),
// dropped out alone with DROP_SEG2 (dropout-fused.wgsl), before the accumulate; DROP_OUT drops the whole sum
// (a sub-layer's output dropout; the residual is what out held, accumulated after).
fn store(m: u32, j: u32, v: f32) {
  if (m >= u.M || j >= u.J) { return; }
  let o = m * u.J + j;
  var r = u.alpha * v;
  if (SEG2) {
    var t = u.alpha2 * segment2(m, j);
    if (DROP_SEG2) { t = dropped(t, o); }
    r = t + r;
  }
  if (DROP_OUT) { r = dropped(r, o); }
  if (u.accum == 1u) { r += f32(out[o]); }
  out[o] = T(r);
}

fn store_block(m0: u32, j0: u32, acc: mat4x4<f32>) {
  for (var c = 0u; c < 4u; c++) {
    for (var i = 0u; i < 4u; i++) { store(m0 + i, j0 + c, acc[c][i]); }
  }
}

// The 4x4 block a(r.x..r.w, k..k+3) transposed: [k'][i] = a(row i, k+k'); columns from n on are 0.
fn rows4(r: vec4<u32>, k: u32, n: u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(a4(r.x + k, n), a4(r.y + k, n), a4(r.z + k, n), a4(r.w + k, n)));
}

// Offsets of a's rows m0..m0+3 and m0+4..m0+7; rows past M are clamped (read, never stored).
fn a_rows(m0: u32, lane: vec4<u32>) -> vec4<u32> {
  return min(vec4<u32>(m0) + lane, vec4<u32>(u.M - 1u)) * u.K;
}

// out(m, j) = sum_k a(m, k) W(j, k); loR[c][i] = out(m0+4R+i, j0+c), hiR the same for j0+4+c
fn forward(j0: u32, m0: u32) {
  let ar0 = a_rows(m0, LANE_LO);
  let ar1 = a_rows(m0, LANE_HI);
  let ar2 = a_rows(m0 + 8u, LANE_LO);
  let ar3 = a_rows(m0 + 8u, LANE_HI);
  let wr = min(vec4<u32>(j0) + LANE_LO, vec4<u32>(u.J - 1u)) * u.wcols;
  let wr4 = min(vec4<u32>(j0) + LANE_HI, vec4<u32>(u.J - 1u)) * u.wcols;
  var lo0 = mat4x4<f32>();
  var hi0 = mat4x4<f32>();
  var lo1 = mat4x4<f32>();
  var hi1 = mat4x4<f32>();
  var lo2 = mat4x4<f32>();
  var hi2 = mat4x4<f32>();
  var lo3 = mat4x4<f32>();
  var hi3 = mat4x4<f32>();
  for (var k = 0u; k < u.K; k += 8u) {
    let n = min(8u, u.K - k);
    let n4 = select(0u, n - 4u, n > 4u);
    let w0 = weights8(wr.x + k, n);
    let w1 = weights8(wr.y + k, n);
    let w2 = weights8(wr.z + k, n);
    let w3 = weights8(wr.w + k, n);
    let w4 = weights8(wr4.x + k, n);
    let w5 = weights8(wr4.y + k, n);
    let w6 = weights8(wr4.z + k, n);
    let w7 = weights8(wr4.w + k, n);
    // [c][k'] = W(j0+c, k+k'), W(j0+c, k+4+k'), W(j0+4+c, k+k'), W(j0+4+c, k+4+k')
    let l0 = mat4x4<f32>(w0.lo, w1.lo, w2.lo, w3.lo);
    let l1 = mat4x4<f32>(w0.hi, w1.hi, w2.hi, w3.hi);
    let h0 = mat4x4<f32>(w4.lo, w5.lo, w6.lo, w7.lo);
    let h1 = mat4x4<f32>(w4.hi, w5.hi, w6.hi, w7.hi);
    var x = rows4(ar0, k, n);
    var y = rows4(ar0, k + 4u, n4);
    lo0 += x * l0 + y * l1;
    hi0 += x * h0 + y * h1;
    x = rows4(ar1, k, n);
    y = rows4(ar1, k + 4u, n4);
    lo1 += x * l0 + y * l1;
    hi1 += x * h0 + y * h1;
    x = rows4(ar2, k, n);
    y = rows4(ar2, k + 4u, n4);
    lo2 += x * l0 + y * l1;
    hi2 += x * h0 + y * h1;
    x = rows4(ar3, k, n);
    y = rows4(ar3, k + 4u, n4);
    lo3 += x * l0 + y * l1;
    hi3 += x * h0 + y * h1;
  }
  store_block(m0, j0, lo0);
  store_block(m0, j0 + 4u, hi0);
  store_block(m0 + 4u, j0, lo1);
  store_block(m0 + 4u, j0 + 4u, hi1);
  store_block(m0 + 8u, j0, lo2);
  store_block(m0 + 8u, j0 + 4u, hi2);
  store_block(m0 + 12u, j0, lo3);
  store_block(m0 + 12u, j0 + 4u, hi3);
}

// out(m, j) = sum_k a(m, k) W(k, j); loR[t][i] = out(m0+4R+i, j0+t), hiR the same for j0+4+t
fn backward(j0: u32, m0: u32) {
  let ar0 = a_rows(m0, LANE_LO);
  let ar1 = a_rows(m0, LANE_HI);
  let ar2 = a_rows(m0 + 8u, LANE_LO);
  let ar3 = a_rows(m0 + 8u, LANE_HI);
  let n = min(8u, u.J - j0);
  var lo0 = mat4x4<f32>();
  var hi0 = mat4x4<f32>();
  var lo1 = mat4x4<f32>();
  var hi1 = mat4x4<f32>();
  var lo2 = mat4x4<f32>();
  var hi2 = mat4x4<f32>();
  var lo3 = mat4x4<f32>();
  var hi3 = mat4x4<f32>();
  for (var k = 0u; k < u.K; k += 4u) {
    let kn = min(4u, u.K - k);
    let e = k * u.wcols + j0;
    // weight rows k..k+3; those past K are zeroed
    let w0 = weights8(e, n);
    let w1 = weights8(e + u.wcols, select(0u, n, kn > 1u));
    let w2 = weights8(e + 2u * u.wcols, select(0u, n, kn > 2u));
    let w3 = weights8(e + 3u * u.wcols, select(0u, n, kn > 3u));
    // [t][k'] = W(k+k', j0+t) and W(k+k', j0+4+t)
    let wlo = transpose(mat4x4<f32>(w0.lo, w1.lo, w2.lo, w3.lo));
    let whi = transpose(mat4x4<f32>(w0.hi, w1.hi, w2.hi, w3.hi));
    let a0 = rows4(ar0, k, kn);
    lo0 += a0 * wlo;
    hi0 += a0 * whi;
    let a1 = rows4(ar1, k, kn);
    lo1 += a1 * wlo;
    hi1 += a1 * whi;
    let a2 = rows4(ar2, k, kn);
    lo2 += a2 * wlo;
    hi2 += a2 * whi;
    let a3 = rows4(ar3, k, kn);
    lo3 += a3 * wlo;
    hi3 += a3 * whi;
  }
  store_block(m0, j0, lo0);
  store_block(m0, j0 + 4u, hi0);
  store_block(m0 + 4u, j0, lo1);
  store_block(m0 + 4u, j0 + 4u, hi1);
  store_block(m0 + 8u, j0, lo2);
  store_block(m0 + 8u, j0 + 4u, hi2);
  store_block(m0 + 12u, j0, lo3);
  store_block(m0 + 12u, j0 + 4u, hi3);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j0 = gid.x * 8u;
  let m0 = gid.y * 16u;
  if (j0 >= u.J || m0 >= u.M) { return; }
  if (BACKWARD) {
    backward(j0, m0);
  } else {
    forward(j0, m0);
  }
}
