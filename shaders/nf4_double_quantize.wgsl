// Double quantization of NF4 absmax, bit-exact with f32Mean/nf4DoubleQuantizeCpu. One workgroup of 256
// invocations does it all, so the mean needs no second pass:
//   absmax (nblocks) -> offset = mean in a fixed order (lane t sums absmax[t], absmax[t+256], ...; then a
//   pairwise tree), stored after the per-block scales: absmax2 (nb2 + 1) = [max|absmax - offset| per 256, offset];
//   qabsmax (ceil(nblocks/4) u32 words of uint8 codes) = bnb's dQuantize<0> of (absmax - offset) * f32(1/absmax2).

var<workgroup> red: array<f32, 256>;
var<workgroup> qs: array<u32, 256>;
var<workgroup> code: array<f32, 256>;

// Correctly rounded a / b for a >= 0 and a normal b > 0 (restoring division of the 24-bit significands).
// A quotient below the smallest normal float comes back as 0. (Same as in nf4_quantize.wgsl.)
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

// bitsandbytes' dQuantize<0>: 7 halving steps from pivot 127, then a float32 midpoint test.
fn dynamic_code(x: f32) -> u32 {
  var pivot = 127u;
  var upper_pivot = 255u;
  var lower_pivot = 0u;
  var lower = -1.0;
  var upper = 1.0;
  var val = code[pivot];
  for (var i = 64u; i > 0u; i = i >> 1u) {
    if (x > val) {
      lower_pivot = pivot;
      lower = val;
      pivot += i;
    } else {
      upper_pivot = pivot;
      upper = val;
      pivot -= i;
    }
    val = code[pivot];
  }
  if (upper_pivot == 255u) { upper = code[upper_pivot]; }
  if (lower_pivot == 0u) { lower = code[lower_pivot]; }
  if (x > val) { return select(pivot, upper_pivot, x > (upper + val) * 0.5); }
  return select(pivot, lower_pivot, x < (lower + val) * 0.5);
}

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.x;
  code[t] = dynmap[t];
  var s = 0.0;
  for (var i = t; i < u.nblocks; i += WG_X) { s = s + absmax[i]; }
  red[t] = s;
  workgroupBarrier();
  for (var stride = WG_X / 2u; stride > 0u; stride = stride >> 1u) {
    if (t < stride) { red[t] = red[t] + red[t + stride]; }
    workgroupBarrier();
  }
  let offset = div_rn(red[0], f32(u.nblocks));
  workgroupBarrier();
  if (t == 0u) { absmax2[u.nb2] = offset; }
  for (var b = 0u; b < u.nb2; b++) {
    let i = b * WG_X + t;
    let valid = i < u.nblocks;
    var v = 0.0;
    if (valid) { v = absmax[i] - offset; }
    red[t] = abs(v);
    workgroupBarrier();
    for (var stride = WG_X / 2u; stride > 0u; stride = stride >> 1u) {
      if (t < stride) { red[t] = max(red[t], red[t + stride]); }
      workgroupBarrier();
    }
    let a2 = red[0];
    // an all-equal block gives a2 = 0: bnb's 0 * inf = NaN lands on code 0, and 0 * absmax2 rebuilds it exactly
    var q = 0u;
    if (a2 > 0.0 && valid) { q = dynamic_code(v * div_rn(1.0, a2)); }
    qs[t] = q;
    workgroupBarrier();
    if (t == 0u) { absmax2[b] = a2; }
    if ((t & 3u) == 0u && valid) {
      qabsmax[i >> 2u] = qs[t] | (qs[t + 1u] << 8u) | (qs[t + 2u] << 16u) | (qs[t + 3u] << 24u);
    }
    workgroupBarrier();
  }
}
