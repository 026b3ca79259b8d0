// Weighted sum of query rows per key row, one invocation per output element (b, j, c), c = h*D + d:
//   out[b,j,c] = sum_{i < Tq} w[b,h,i,j] * x[b,i,c]   for j < Tk;   out[b,j,c] = 0 for Tk <= j < Cap
// w (B,NH,Tq,Tk), x (B,Tq,C), out (B,Cap,C). Used for dk = dscores^T.q and dv = probs^T.dout (backward).
// HAS_DROP: w is scaled by drop (B,NH,Tq,Tk). weighted_sum comes from attention-weighted-sum.wgsl.

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WG_X;
  if (idx >= u.n) { return; }
  let C = u.NH * u.D;
  let c = idx % C;
  let j = (idx / C) % u.cap;
  let b = idx / (C * u.cap);
  if (j >= u.Tk) {
    out[idx] = 0.0;
    return;
  }
  let h = c / u.D;
  let w_base = (b * u.NH + h) * u.Tq * u.Tk + j;
  let x_base = b * u.Tq * C + c;
  out[idx] = weighted_sum(w_base, u.Tk, x_base, C, u.Tq);
}
