// adamw.wgsl's step, operation for operation, over up to REPEAT tensors in one dispatch. The dispatch walks its
// tensors' elements laid end to end: tensor k owns walk positions [u.start_k, u.end_k), its param and grad are
// bound as param_k and grad_k, and the group's moments are one buffer each (m, v) indexed by the walk position.
// grad_scale (1) is the clip coefficient; u.decay_k is 1 - lr*wd, or 1 for tensors without weight decay.
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let s = grad_scale[0];
  //@each
  if (i >= u.start_@K && i < u.end_@K) {
    let j = i - u.start_@K;
    let g = grad_@K[j] * s;
    let mi = u.beta1 * m[i] + u.one_minus_beta1 * g;
    let vi = u.beta2 * v[i] + u.one_minus_beta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    let denom = sqrt(vi) / u.bc2_sqrt + u.eps;
    param_@K[j] = param_@K[j] * u.decay_@K - u.step_size * (mi / denom);
  }
  //@end
}
