// The masked score of attention_scores, shared by its forms (attention-scores.wgsl, attention-scores-serial.wgsl):
//   s_j = q_i . k_j + (bias_ij + mask_ij)
// The mask is HF's additive finfo(f32).min, added to the bias before the scores so the small terms vanish exactly
// as in HF. HAS_BIAS / HAS_MASK are compile-time; when false the binding is a placeholder and never read.

const F32_LOWEST: f32 = -3.4028234663852886e38;

// dot = q_i . k_j, however the form computes it.
fn masked_score(r: ScoreRow, j: u32, dot: f32) -> f32 {
  var add = 0.0;
  if (HAS_BIAS) { add = bias[(r.h * u.Tq + r.i) * u.Tk + j]; }
  var is_masked = u.causal != 0u && j > u.qoff + r.i;
  if (HAS_MASK) { is_masked = is_masked || key_mask[r.b * u.Tk + j] == 0u; }
  if (is_masked) { add += F32_LOWEST; }
  return dot + add;
}
