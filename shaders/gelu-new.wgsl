// gelu_new (HF NewGELUActivation), shared by the gated-gelu forward and backward. Needs the constants GELU_K
// (sqrt(2/pi)) and GELU_A (0.044715) from the program table.
// gelu_new(x) = 0.5 x (1 + tanh z) = x * sigmoid(2z), z = GELU_K (x + GELU_A x^3). With t = exp(-2|z|)
// in (0, 1] nothing overflows: huge x gives x, huge negative x gives -0, and NaN stays NaN.

struct GeluNewParts {
  s: f32, // sigmoid(2z), so gelu_new(x) = x * s
  t: f32, // exp(-2|z|), so s (1 - s) = t / (1 + t)^2
}

fn gelu_new_parts(x: f32) -> GeluNewParts {
  let z = GELU_K * (x + GELU_A * x * x * x);
  let t = exp(-2.0 * abs(z));
  return GeluNewParts(select(t / (1.0 + t), 1.0 / (1.0 + t), z >= 0.0), t);
}
