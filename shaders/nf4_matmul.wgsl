// Matmul against an NF4 weight, dequantized tile by tile into workgroup memory (no full dequantized copy).
//   forward  (BACKWARD false): out (M,J) = alpha * a (M,K) . W^T, W (J,K)   [inp (N,C), W (OC,C), out (N,OC)]
//   backward (BACKWARD true):  out (M,J) = alpha * a (M,K) . W,   W (K,J)   [dout (N,OC), W (OC,C), dinp (N,C)]
// with out += instead of = when u.accum is 1. W is row-major with u.wcols columns; element e has its code in
// nibble e of `codes` and its scale from block e / 64: absmax, or with DOUBLE the 8-bit code qabsmax rebuilt as
// dynmap[q] * absmax2[block / 256] + offset (offset stored at absmax2[nb2]). Unused scale bindings get dummies.
// T is the storage and dequantization dtype of a/out (f32, or f16 where the adapter has shader-f16);
// products accumulate in f32. Each invocation owns a 4x4 block of out; the workgroup a TILE x TILE tile.

const TILE: u32 = WG_X * 4u;
const TK: u32 = 32u;

var<workgroup> As: array<f32, TK * TILE>;
var<workgroup> Bs: array<f32, TK * TILE>;

// W[row][col] in the compute dtype (NF4, nf4_code_at and block_scale come from nf4_decode.wgsl).
fn weight(row: u32, col: u32) -> f32 {
  let e = row * u.wcols + col;
  return f32(T(NF4[nf4_code_at(e)]) * T(block_scale(e >> 6u)));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tid = lid.y * WG_X + lid.x;
  let m_base = wid.y * TILE;
  let j_base = wid.x * TILE;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < u.K; k0 += TK) {
    for (var s = tid; s < TILE * TK; s += WG_SIZE) {
      // consecutive invocations read consecutive k of one row of a
      let m = s / TK;
      let kk = s % TK;
      var v = 0.0;
      if (m_base + m < u.M && k0 + kk < u.K) { v = f32(a[(m_base + m) * u.K + k0 + kk]); }
      As[kk * TILE + m] = v;
    }
    for (var s = tid; s < TILE * TK; s += WG_SIZE) {
      var j: u32;
      var kk: u32;
      if (BACKWARD) {
        j = s % TILE;
        kk = s / TILE;
      } else {
        j = s / TK;
        kk = s % TK;
      }
      var v = 0.0;
      if (j_base + j < u.J && k0 + kk < u.K) {
        if (BACKWARD) {
          v = weight(k0 + kk, j_base + j);
        } else {
          v = weight(j_base + j, k0 + kk);
        }
      }
      Bs[kk * TILE + j] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ar = kk * TILE + lid.y * 4u;
      let br = kk * TILE + lid.x * 4u;
      let av = vec4<f32>(As[ar], As[ar + 1u], As[ar + 2u], As[ar + 3u]);
      let bv = vec4<f32>(Bs[br], Bs[br + 1u], Bs[br + 2u], Bs[br + 3u]);
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m_base + lid.y * 4u + i;
    if (m >= u.M) { break; }
    for (var c = 0u; c < 4u; c++) {
      let j = j_base + lid.x * 4u + c;
      if (j >= u.J) { break; }
      let o = m * u.J + j;
      var r = u.alpha * acc[i][c];
      if (u.accum == 1u) { r += f32(out[o]); }
      out[o] = T(r);
    }
  }
}
