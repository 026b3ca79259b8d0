// shaders/matmul-second.wgsl for a second product whose operands both run along k in storage (A2 (M, K2) and
// B2 (N, K2), K2 and the leading dimensions multiples of 4): a2 and b2 bound as vec4<f32>, four k per load.
fn segment2(m: u32, n: u32) -> f32 {
  let pa = (u.offA2 + m * u.lda2) / 4u;
  let pb = (u.offB2 + n * u.ldb2) / 4u;
  var s = 0.0;
  for (var k = 0u; k < u.K2 / 4u; k++) {
    s += dot(a2[pa + k], b2[pb + k]);
  }
  return s;
}
