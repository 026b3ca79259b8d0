// scale[0] = min(1, max_norm / (sqrt(sumsq[0]) + 1e-6)), as torch.nn.utils.clip_grad_norm_; 1 when disabled.
// A NaN sum stays NaN (torch's clamp keeps NaN), so a poisoned step is visible rather than silently scaled.
@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x != 0u) { return; }
  if (u.enabled == 0u) { scale[0] = 1.0; return; }
  let s = sumsq[0];
  // Bit test rather than s != s: WGSL lets compilers assume floats are never NaN.
  if ((bitcast<u32>(s) & 0x7fffffffu) > 0x7f800000u) { scale[0] = s; return; }
  let coef = u.max_norm / (sqrt(s) + 1e-6);
  scale[0] = select(1.0, coef, coef < 1.0);
}
