// matmul, workgroup-memory tiled: a workgroup computes a TM x TN tile of out (TM = WG_Y*RM, TN = WG_X*RN),
// staging TK-deep slabs of A and B in workgroup memory; each invocation owns RM x RN outputs spaced WG_Y
// rows / WG_X columns apart, so neighbouring invocations touch neighbouring addresses.
//   out (batch,M,N) = alpha * op(A) . op(B)  [+ out if ACCUM]  [+ residual if RESID]
// Slab loads walk the operand's contiguous dimension first (coalesced); out-of-range elements load as 0.
// Products are formed in IN (f16 for the f16 variant) and summed in f32.

const TM: u32 = WG_Y * RM;
const TN: u32 = WG_X * RN;

var<workgroup> tileA: array<IN, TK * TM>; // [k][m]
var<workgroup> tileB: array<IN, TK * TN>; // [k][n]

fn store(bz: u32, m: u32, n: u32, v: f32) {
  let o = u.offO + bz * u.sO + m * u.ldo + n;
  var r = u.alpha * v;
  if (ACCUM) { r += out[o]; }
  if (RESID) { r += residual[u.offR + bz * u.sR + m * u.ldr + n]; }
  out[o] = r;
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  let bz = wid.z;
  let tid = lid.y * WG_X + lid.x;
  let baseA = u.offA + bz * u.sA;
  let baseB = u.offB + bz * u.sB;
  var acc: array<array<f32, RN>, RM>;
  for (var kt = 0u; kt < u.K; kt += TK) {
    for (var e = tid; e < TK * TM; e += WG_SIZE) {
      var kk: u32;
      var mm: u32;
      if (TRANS_A) { kk = e / TM; mm = e % TM; } else { mm = e / TK; kk = e % TK; }
      let m = m0 + mm;
      let k = kt + kk;
      var v = IN(0);
      if (m < u.M && k < u.K) {
        if (TRANS_A) { v = a[baseA + k * u.lda + m]; } else { v = a[baseA + m * u.lda + k]; }
      }
      tileA[kk * TM + mm] = v;
    }
    for (var e = tid; e < TK * TN; e += WG_SIZE) {
      var kk: u32;
      var nn: u32;
      if (TRANS_B) { nn = e / TK; kk = e % TK; } else { kk = e / TN; nn = e % TN; }
      let n = n0 + nn;
      let k = kt + kk;
      var v = IN(0);
      if (n < u.N && k < u.K) {
        if (TRANS_B) { v = b[baseB + n * u.ldb + k]; } else { v = b[baseB + k * u.ldb + n]; }
      }
      tileB[kk * TN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<IN, RM>;
      var bv: array<IN, RN>;
      for (var i = 0u; i < RM; i++) { av[i] = tileA[kk * TM + lid.y + i * WG_Y]; }
      for (var j = 0u; j < RN; j++) { bv[j] = tileB[kk * TN + lid.x + j * WG_X]; }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN; j++) { acc[i][j] += f32(av[i] * bv[j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < RM; i++) {
    let m = m0 + lid.y + i * WG_Y;
    if (m >= u.M) { break; }
    for (var j = 0u; j < RN; j++) {
      let n = n0 + lid.x + j * WG_X;
      if (n >= u.N) { break; }
      store(bz, m, n, acc[i][j]);
    }
  }
}
