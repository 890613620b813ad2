// adamax.wgsl: Adamax (Adam with the infinity norm), with L2 weight decay and maximize.
//
// Follows torch.optim.Adamax (_single_tensor_adamax, torch 2.x). The host computes, for step
// t, clr = lr / (1 - beta1^t), so the kernel "doesn't need to know about t". Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if weight_decay != 0: g = g + weight_decay * p        (L2, added to the gradient)
//   3. exp_avg = lerp(exp_avg, g, 1 - beta1)                 (torch 2.x's exp_avg.lerp_)
//   4. exp_inf = max(exp_inf * beta2, |g| + eps)             (ε inside the max, as PyTorch)
//   5. p = p - clr * (exp_avg / exp_inf)
// Reference: Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), §7.1.
// ε placement: PyTorch adds ε to |g| inside the max, so exp_inf >= ε after the first step and
// the division never sees 0. TF.js (tf.train.adamax) and Keras take max(beta2·u, |g|) and
// divide by (u + ε) instead; see docs/algorithms.md.
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's smallest value
// (src/options/half.ts, epsFloor with a linear denominator: 2^-24 for f16).
// State arrays: 0 = exp_avg, 1 = exp_inf.

struct AdamaxUniforms {
  geo: Geometry,
  weight_decay: f32,
  one_minus_beta1: f32,
  beta2: f32,
  eps: f32,
  clr: f32, // lr / (1 - beta1^t)
}

@group(0) @binding(5) var<uniform> u: AdamaxUniforms;

// s0 = exp_avg, s1 = exp_inf.
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var p = p_in;
  var out = s;
  let g = l2(g_in, p, u.weight_decay);
  let exp_avg = torch_lerp(s.s0, g, u.one_minus_beta1);
  out.s0 = exp_avg;
  let exp_inf = max(s.s1 * u.beta2, abs(g) + u.eps);
  out.s1 = exp_inf;
  p = p - u.clr * (exp_avg / exp_inf);
  return Updated(p, out);
}
