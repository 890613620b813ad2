// radam.wgsl: RAdam (Adam with the variance rectification), with L2 or decoupled weight decay
// and maximize.
//
// Follows torch.optim.RAdam (2.x, _single_tensor_radam); Liu et al., "On the Variance of the
// Adaptive Learning Rate and Beyond" (ICLR 2020). The host computes, for step t, in f64:
// bias_correction1 = 1 − beta1^t, sqrt(1 − beta2^t), rho_inf = 2 / (1 − beta2) − 1,
// rho_t = rho_inf − 2t · beta2^t / (1 − beta2^t), and when rho_t > 5 the rectification
// rect = sqrt((rho_t − 4)(rho_t − 2) rho_inf / ((rho_inf − 4)(rho_inf − 2) rho_t)).
// The branch (rho_t > 5) arrives as the uniform word `rectified`: one pipeline serves both
// branches and every thread of a step takes the same one, so the choice costs nothing, and
// with a GradScaler the scaler's prepare pass can make it on the GPU from the count of steps
// actually taken. Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if DECOUPLED: p = p · (1 − lr · weight_decay)
//      else if weight_decay != 0: g = g + weight_decay · p
//   3. exp_avg = lerp(exp_avg, g, 1 − beta1)
//   4. exp_avg_sq = exp_avg_sq · beta2 + (1 − beta2) · g · g
//   5. m = exp_avg / bias_correction1
//   6. if rectified: adaptive = (1 / (sqrt(exp_avg_sq) + eps)) · sqrt(1 − beta2^t)
//                    (torch: python float / tensor = reciprocal(tensor) · float)
//                    p = p − ((m · lr) · adaptive) · rect
//      else:         p = p − m · lr
// State arrays: 0 = exp_avg, 1 = exp_avg_sq.

override DECOUPLED: bool = false;

struct RAdamUniforms {
  geo: Geometry,
  weight_decay: f32,
  decay_factor: f32, // 1 − lr · weight_decay (DECOUPLED)
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  bias_correction1: f32,
  lr: f32,
  bias_correction2_sqrt: f32,
  rect: f32,
  eps: f32,
  rectified: u32,
}

@group(0) @binding(5) var<uniform> u: RAdamUniforms;

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
  let m = exp_avg / u.bias_correction1;
  if (u.rectified != 0u) {
    let adaptive = (1.0 / (sqrt(exp_avg_sq) + u.eps)) * u.bias_correction2_sqrt;
    p = p - m * u.lr * adaptive * u.rect;
  } else {
    p = p - m * u.lr;
  }
  return Updated(p, out);
}
