// One decoupled AdamW step, in torch.optim.AdamW's order of operations:
//   g = grad * grad_scale[0]            (the clip coefficient, left on the GPU)
//   param *= 1 - lr*wd                  (elements before decay_end; the rest do not decay)
//   m = b1*m + (1-b1)*g ;  v = b2*v + (1-b2)*g*g
//   param -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
// param, m, v, grad (n); grad_scale (1)
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X;
  if (i >= u.n) { return; }
  let g = grad[i] * grad_scale[0];
  let mi = u.beta1 * m[i] + u.one_minus_beta1 * g;
  let vi = u.beta2 * v[i] + u.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let denom = sqrt(vi) / u.bc2_sqrt + u.eps;
  let decay = select(1.0, u.decay, i < u.decay_end);
  param[i] = param[i] * decay - u.step_size * (mi / denom);
}
