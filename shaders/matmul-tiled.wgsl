// matmul, workgroup-memory tiled: a workgroup computes a TM x TN tile of out (TM = 4*WG_Y, TN = 4*WG_X),
// staging TK-deep slabs of A and B in workgroup memory; each invocation owns 4 x 4 outputs spaced WG_Y
// rows / WG_X columns apart, so neighbouring invocations touch neighbouring addresses. The 4x4 block is
// four vec4 accumulators (an indexed private array is spilled to memory by SwiftShader).
//   out (batch,M,N) = alpha * op(A) . op(B)  [+ out if ACCUM]  [+ residual if RESID]
// Slab loads walk the operand's contiguous dimension first (coalesced); out-of-range elements load as 0.
// Products are formed in IN (f16 for the f16 variant) and summed in f32. DROP_A / DROP_B drop an operand out as
// it is staged (f32 only; shaders/matmul-store.wgsl).

const TM: u32 = WG_Y * 4u;
const TN: u32 = WG_X * 4u;

var<workgroup> tileA: array<IN, TK * TM>; // [k][m]
var<workgroup> tileB: array<IN, TK * TN>; // [k][n]

// store(bz, m, n, v): shaders/matmul-store.wgsl

// One row of an invocation's block: columns n, n + WG_X, n + 2 WG_X, n + 3 WG_X.
fn store_row(bz: u32, m: u32, n: u32, v: vec4<f32>) {
  if (m >= u.M) { return; }
  for (var j = 0u; j < 4u; j++) {
    let nj = n + j * WG_X;
    if (nj < u.N) { store(bz, m, nj, v[j]); }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  let bz = wid.z;
  let tid = lid.y * WG_X + lid.x;
  let baseA = u.offA + bz * u.sA;
  let baseB = u.offB + bz * u.sB;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var kt = 0u; kt < u.K; kt += TK) {
    for (var e = tid; e < TK * TM; e += WG_SIZE) {
      var kk: u32;
      var mm: u32;
      if (TRANS_A) { kk = e / TM; mm = e % TM; } else { mm = e / TK; kk = e % TK; }
      let m = m0 + mm;
      let k = kt + kk;
      var v = IN(0);
      if (m < u.M && k < u.K) {
        var i = baseA + m * u.lda + k;
        if (TRANS_A) { i = baseA + k * u.lda + m; }
        v = a[i];
        if (DROP_A) { v = IN(dropped(f32(v), i - u.offA)); }
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
        var i = baseB + k * u.ldb + n;
        if (TRANS_B) { i = baseB + n * u.ldb + k; }
        v = b[i];
        if (DROP_B) { v = IN(dropped(f32(v), i - u.offB)); }
      }
      tileB[kk * TN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let pa = kk * TM + lid.y;
      let pb = kk * TN + lid.x;
      let av = vec4<IN>(tileA[pa], tileA[pa + WG_Y], tileA[pa + 2u * WG_Y], tileA[pa + 3u * WG_Y]);
      let bv = vec4<IN>(tileB[pb], tileB[pb + WG_X], tileB[pb + 2u * WG_X], tileB[pb + 3u * WG_X]);
      acc0 += vec4<f32>(av.x * bv);
      acc1 += vec4<f32>(av.y * bv);
      acc2 += vec4<f32>(av.z * bv);
      acc3 += vec4<f32>(av.w * bv);
    }
    workgroupBarrier();
  }
  store_row(bz, m0 + lid.y, n0 + lid.x, acc0);
  store_row(bz, m0 + lid.y + WG_Y, n0 + lid.x, acc1);
  store_row(bz, m0 + lid.y + 2u * WG_Y, n0 + lid.x, acc2);
  store_row(bz, m0 + lid.y + 3u * WG_Y, n0 + lid.x, acc3);
}
