// lion.wgsl: Lion (EvoLved Sign Momentum), with decoupled weight decay and maximize.
//
// Follows lion-pytorch's update_fn (Chen et al., "Symbolic Discovery of Optimization
// Algorithms", 2023, Program 1). No step-dependent scalars. Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded; timm's
//                                          Lion option, not lion-pytorch's)
//   2. p = p * (1 - lr * weight_decay)                       (decoupled, always applied)
//   3. c = exp_avg * beta1 + (1 - beta1) * g                 (the interpolation)
//   4. p = p - lr * sign(c)                                  (sign(0) = 0: no move)
//   5. exp_avg = exp_avg * beta2 + (1 - beta2) * g
// Every element moves by lr (before rounding) wherever c != 0. No ε, so 16-bit state needs
// no guard. State arrays: 0 = exp_avg.

struct LionUniforms {
  geo: Geometry,
  lr: f32,
  decay_factor: f32, // 1 - lr * weight_decay
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
}

@group(0) @binding(5) var<uniform> u: LionUniforms;

// s0 = exp_avg.
fn update(p_in: vec4<f32>, g: vec4<f32>, s: States) -> Updated {
  var out = s;
  var p = p_in * u.decay_factor;
  let c = s.s0 * u.beta1 + u.one_minus_beta1 * g;
  p = p - u.lr * sign(c);
  out.s0 = s.s0 * u.beta2 + u.one_minus_beta2 * g;
  return Updated(p, out);
}
