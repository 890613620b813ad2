// adam.wgsl: Adam and AdamW, with AMSGrad, L2 or decoupled weight decay, maximize and
// ε placement.
//
// Follows torch.optim.Adam / AdamW (_single_tensor_adam). The host computes, for step t,
// bias_correction1 = 1 - beta1^t, bias_correction2 = 1 - beta2^t,
// step_size = lr / bias_correction1 and bias_correction2_sqrt = sqrt(bias_correction2), so
// the kernel "doesn't need to know about t". Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if DECOUPLED (AdamW): p = p * (1 - lr * weight_decay)
//      else if weight_decay != 0 (Adam, L2): g = g + weight_decay * p
//   3. exp_avg = lerp(exp_avg, g, 1 - beta1)
//   4. exp_avg_sq = exp_avg_sq * beta2 + (1 - beta2) * g * g
//   5. if AMSGRAD: max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq); v = max_exp_avg_sq
//      else:       v = exp_avg_sq                     (the max is of the uncorrected value)
//   6. denom = sqrt(v) / bias_correction2_sqrt + eps   (PyTorch, TF.js, optax eps)
//      denom = sqrt(v / bias_correction2 + eps)       (EPS_INSIDE_SQRT: optax eps_root)
//   7. p = p - step_size * (exp_avg / denom)
// References: Kingma and Ba, "Adam" (ICLR 2015); Reddi et al., "On the Convergence of Adam
// and Beyond" (AMSGrad, ICLR 2018); Loshchilov and Hutter, "Decoupled Weight Decay
// Regularization" (AdamW, ICLR 2019).
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's floor
// (src/options/half.ts, epsFloor: 2^-12 for f16), so a second moment lost to f16 underflow
// cannot turn the update into m / eps (README, "16-bit optimizer state").
// State arrays: 0 = exp_avg, 1 = exp_avg_sq, 2 = max_exp_avg_sq (if AMSGRAD).

override AMSGRAD: bool = false;
override DECOUPLED: bool = false;
override EPS_INSIDE_SQRT: bool = false;

struct AdamUniforms {
  geo: Geometry,
  weight_decay: f32,
  decay_factor: f32, // 1 - lr * weight_decay (AdamW)
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  step_size: f32,
  bias_correction2: f32,
  bias_correction2_sqrt: f32,
  eps: f32,
}

@group(0) @binding(5) var<uniform> u: AdamUniforms;

// s0 = exp_avg, s1 = exp_avg_sq, s2 = max_exp_avg_sq (if AMSGRAD).
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
  var v = exp_avg_sq;
  if (AMSGRAD) {
    v = max(s.s2, exp_avg_sq);
    out.s2 = v;
  }
  var denom: vec4<f32>;
  if (EPS_INSIDE_SQRT) {
    denom = sqrt(v / u.bias_correction2 + u.eps);
  } else {
    denom = sqrt(v) / u.bias_correction2_sqrt + u.eps;
  }
  p = p - u.step_size * (exp_avg / denom);
  return Updated(p, out);
}
