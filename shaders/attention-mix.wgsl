// Weighted sum of key rows per query row, one invocation per output element (b, i, c), c = h*D + d:
//   out[b,i,c] = sum_{j < Tk} w[b,h,i,j] * x[b,j,c]
// w (B,NH,Tq,Tk), x (B,Cap,C), out (B,Tq,C). Used for out = probs.v (forward) and dq = dscores.k (backward).
// HAS_DROP: w is scaled by drop (B,NH,Tq,Tk). weighted_sum comes from attention-weighted-sum.wgsl.

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
  out[idx] = weighted_sum(w_base, 1u, x_base, C, u.Tk);
}
