// One column of the T5LayerNorm weight gradient in one invocation, shared by rmsnorm-backward-weight-serial.wgsl
// and rmsnorm-backward-fused.wgsl: dweight_c += sum over rows of dout[n,c] * inp[n,c] * rstd[n], in the order of
// rmsnorm-backward-weight.wgsl (LANES strided partial sums over rows, then added lane by lane), so the same bits.
// Needs bindings dweight, dout, inp, rstd and the uniforms N, C.

fn rmsnorm_backward_column(c: u32) {
  var total = 0.0;
  for (var y = 0u; y < LANES; y++) {
    var s = 0.0;
    for (var n = y; n < u.N; n += LANES) {
      let i = n * u.C + c;
      s += dout[i] * (inp[i] * rstd[n]);
    }
    total += s;
  }
  dweight[c] += total;
}
