// adadelta.wgsl: Adadelta, with L2 weight decay and maximize.
//
// Follows torch.optim.Adadelta (_single_tensor_adadelta). No step-dependent scalars. Per
// element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if weight_decay != 0: g = g + weight_decay * p        (L2, added to the gradient)
//   3. square_avg = square_avg * rho + (1 - rho) * g * g
//   4. std_dev = sqrt(square_avg + eps)                        (the new square_avg)
//   5. delta = sqrt(acc_delta + eps) / std_dev * g             (the old acc_delta)
//   6. acc_delta = acc_delta * rho + (1 - rho) * delta * delta
//   7. p = p - lr * delta
// Reference: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012), Algorithm 1; lr is
// PyTorch's extra scale on the update (1.0 by default, the paper's form).
// ε sits under both square roots. TF.js (tf.train.adadelta) divides by the OLD accumulated
// gradient, sqrt(accum_grad_{t-1} + eps); see docs/algorithms.md.
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's smallest value
// (src/options/half.ts, epsFloor inside the root: 2^-24 for f16).
// State arrays: 0 = square_avg, 1 = acc_delta.

struct AdadeltaUniforms {
  geo: Geometry,
  lr: f32,
  rho: f32,
  one_minus_rho: f32,
  eps: f32,
  weight_decay: f32,
}

@group(0) @binding(5) var<uniform> u: AdadeltaUniforms;

// s0 = square_avg, s1 = acc_delta.
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var out = s;
  let g = l2(g_in, p_in, u.weight_decay);
  let square_avg = s.s0 * u.rho + u.one_minus_rho * g * g;
  out.s0 = square_avg;
  let std_dev = sqrt(square_avg + u.eps); // torch's `std` (a reserved word in WGSL)
  let delta = sqrt(s.s1 + u.eps) / std_dev * g;
  out.s1 = s.s1 * u.rho + u.one_minus_rho * delta * delta;
  return Updated(p_in - u.lr * delta, out);
}
