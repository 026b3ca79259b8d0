// T5LayerNorm backward for the weight: dweight_c += sum over rows of dout[n,c] * inp[n,c] * rstd[n].
// Each workgroup owns WG_X columns; its WG_Y lanes stride over rows and are summed in a fixed order,
// so the result is deterministic without atomics. dout (N,C), inp (N,C), rstd (N), dweight (C).

var<workgroup> partial: array<f32, WG_SIZE>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x * WG_X + lid.x;
  var s = 0.0;
  if (c < u.C) {
    for (var n = lid.y; n < u.N; n += WG_Y) {
      let i = n * u.C + c;
      s += dout[i] * (inp[i] * rstd[n]);
    }
  }
  partial[lid.y * WG_X + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < u.C) {
    var total = 0.0;
    for (var y = 0u; y < WG_Y; y++) { total += partial[y * WG_X + lid.x]; }
    dweight[c] += total;
  }
}
