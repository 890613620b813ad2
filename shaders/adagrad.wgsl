// adagrad.wgsl: AdaGrad with lr decay, L2 weight decay, maximize and ε placement.
//
// Follows torch.optim.Adagrad (_single_tensor_adagrad). The host computes
// clr = lr / (1 + (step - 1) * lr_decay). Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if weight_decay != 0: g = g + weight_decay * p
//   3. sum = sum + g * g
//   4. std_dev = sqrt(sum) + eps            (PyTorch)
//      std_dev = sqrt(sum + eps)            (EPS_INSIDE_SQRT: TF.js, optax)
//   5. p = p - clr * (g / std_dev)
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's floor
// (src/options/half.ts, epsFloor: 2^-12 for f16), so a second moment lost to f16 underflow
// cannot turn the update into m / eps (README, "16-bit optimizer state").
// Reference: Duchi, Hazan and Singer, "Adaptive Subgradient Methods" (JMLR 2011).
// The accumulator starts at initial_accumulator_value (PyTorch 0, TF.js 0.1), written by the
// host when the state is created. State arrays: 0 = sum.

override EPS_INSIDE_SQRT: bool = false;

struct AdagradUniforms {
  geo: Geometry,
  clr: f32,
  weight_decay: f32,
  eps: f32,
}

@group(0) @binding(5) var<uniform> u: AdagradUniforms;

// s0 = sum.
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var p = p_in;
  var g = g_in;
  var out = s;
  g = l2(g, p, u.weight_decay);
  let sum = s.s0 + g * g;
  out.s0 = sum;
  var std_dev: vec4<f32>;
  if (EPS_INSIDE_SQRT) {
    std_dev = sqrt(sum + u.eps);
  } else {
    std_dev = sqrt(sum) + u.eps;
  }
  p = p - u.clr * (g / std_dev);
  return Updated(p, out);
}
