// Double quantization of NF4 absmax, bit-exact with f32Mean/nf4DoubleQuantizeCpu. One workgroup of 256
// invocations does it all, so the mean needs no second pass:
//   absmax (nblocks) -> offset = mean in a fixed order (lane t sums absmax[t], absmax[t+256], ...; then a
//   pairwise tree), stored after the per-block scales: absmax2 (nb2 + 1) = [max|absmax - offset| per 256, offset];
//   qabsmax (ceil(nblocks/4) u32 words of uint8 codes) = bnb's dQuantize<0> of (absmax - offset) * f32(1/absmax2).

var<workgroup> red: array<f32, 256>;
var<workgroup> qs: array<u32, 256>;
var<workgroup> code: array<f32, 256>;
// div_rn comes from nf4-common.wgsl.

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
