// nadam.wgsl: NAdam (Adam with Nesterov momentum and a momentum schedule), with L2 or
// decoupled weight decay and maximize.
//
// Follows torch.optim.NAdam (2.x, _single_tensor_nadam); Dozat, "Incorporating Nesterov
// Momentum into Adam" (ICLR 2016 workshop). The host computes, for step t, in f64 as torch
// does: mu_t = beta1 · (1 − 0.5 · 0.96^(t·momentum_decay)), mu_{t+1} likewise, the tensor's
// mu_product (a per-tensor f32 scalar, mu_product *= mu_t, kept on the host, or on the GPU by
// the GradScaler's prepare pass), bias_correction2 = 1 − beta2^t and the two coefficients
//   grad_coef = −lr · (1 − mu_t) / (1 − mu_product)
//   avg_coef  = −lr · mu_{t+1} / (1 − mu_product · mu_{t+1}).
// Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if DECOUPLED: p = p · (1 − lr · weight_decay)
//      else if weight_decay != 0: g = g + weight_decay · p
//   3. exp_avg = lerp(exp_avg, g, 1 − beta1)
//   4. exp_avg_sq = exp_avg_sq · beta2 + (1 − beta2) · g · g
//   5. denom = sqrt(exp_avg_sq / bias_correction2) + eps   (ε outside the square root)
//   6. p = p + grad_coef · g / denom          (torch's addcdiv: (value · t1) / t2)
//   7. p = p + avg_coef · exp_avg / denom
// State arrays: 0 = exp_avg, 1 = exp_avg_sq (mu_product is a scalar, not an array).

override DECOUPLED: bool = false;

struct NAdamUniforms {
  geo: Geometry,
  weight_decay: f32,
  decay_factor: f32, // 1 − lr · weight_decay (DECOUPLED)
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  bias_correction2: f32,
  eps: f32,
  grad_coef: f32,
  avg_coef: f32,
}

@group(0) @binding(5) var<uniform> u: NAdamUniforms;

fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var p = p_in;
  var g = g_in;
  var out = s;
  if (DECOUPLED) {
    p = p * u.decay_factor;
  } else {
    g = l2(g, p, u.weight_decay);
  }
  let exp_avg = torch_lerp(s.s0, g, u.one_minus_beta1);
  out.s0 = exp_avg;
  let exp_avg_sq = s.s1 * u.beta2 + u.one_minus_beta2 * g * g;
  out.s1 = exp_avg_sq;
  let denom = sqrt(exp_avg_sq / u.bias_correction2) + u.eps;
  p = p + u.grad_coef * g / denom;
  p = p + u.avg_coef * exp_avg / denom;
  return Updated(p, out);
}
