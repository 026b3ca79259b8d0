// adamw.wgsl's step, operation for operation, over up to REPEAT tensors in one dispatch. Every workgroup works on
// one tensor (so a branch below is taken by a whole workgroup or by none of it): tensor k owns workgroups
// [u.wg_k, u.wg_end_k), its param and grad are bound as param_k and grad_k, and its moments are
// m[u.start_k ..] and v[u.start_k ..] of the group's moment buffers. grad_scale (1) is the clip coefficient;
// u.decay_k is 1 - lr*wd, or 1 for tensors without weight decay.
@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = wid.x + wid.y * nwg.x;
  let s = grad_scale[0];
  //@each
  if (w >= u.wg_@K && w < u.wg_end_@K) {
    let j = (w - u.wg_@K) * WG_X + lid.x;
    if (j < u.n_@K) {
      let i = u.start_@K + j;
      let g = grad_@K[j] * s;
      let mi = u.beta1 * m[i] + u.one_minus_beta1 * g;
      let vi = u.beta2 * v[i] + u.one_minus_beta2 * g * g;
      m[i] = mi;
      v[i] = vi;
      let denom = sqrt(vi) / u.bc2_sqrt + u.eps;
      param_@K[j] = param_@K[j] * u.decay_@K - u.step_size * (mi / denom);
    }
  }
  //@end
}
