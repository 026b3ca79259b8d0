// Weighted sum of key rows per query row, one invocation per output element (b, i, c), c = h*D + d:
//   out[b,i,c] = sum_{j < Tk} w[b,h,i,j] * x[b,j,c]
// w (B,NH,Tq,Tk), x (B,Cap,C), out (B,Tq,C). Used for out = probs.v (forward) and dq = dscores.k (backward).
// Masked entries are not skipped: w is exactly 0 there, and 0 * NaN stays NaN as in PyTorch.
// HAS_DROP: w is scaled by drop (B,NH,Tq,Tk), the dropout keep mask / (1-p); otherwise drop is a placeholder.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WG_X;
  if (idx >= u.n) { return; }
  let C = u.NH * u.D;
  let c = idx % C;
  let i = (idx / C) % u.Tq;
  let b = idx / (C * u.Tq);
  let h = c / u.D;
  let w_base = ((b * u.NH + h) * u.Tq + i) * u.Tk;
  let x_base = b * u.cap * C + c;
  var acc = 0.0;
  for (var j = 0u; j < u.Tk; j++) {
    var wj = w[w_base + j];
    if (HAS_DROP) { wj = wj * drop[w_base + j]; }
    acc += wj * x[x_base + j * C];
  }
  out[idx] = acc;
}
