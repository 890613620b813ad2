// rmsprop.wgsl: RMSprop, plain or centered, with momentum, L2 weight decay, maximize and
// ε placement.
//
// Follows torch.optim.RMSprop (_single_tensor_rmsprop). Per element:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if weight_decay != 0: g = g + weight_decay * p
//   3. square_avg = square_avg * alpha + (1 - alpha) * g * g
//   4. if CENTERED: grad_avg = lerp(grad_avg, g, 1 - alpha); v = square_avg - grad_avg^2
//      else:        v = square_avg
//   5. avg = sqrt(v) + eps              (PyTorch)
//      avg = sqrt(v + eps)              (EPS_INSIDE_SQRT: TF.js, optax)
//   6. if MOMENTUM: buf = buf * momentum + g / avg; p = p - lr * buf
//      else:        p = p - lr * (g / avg)
// Reference: Hinton, Lecture 6e of "Neural Networks for Machine Learning" (2012); the centered
// form is Graves, "Generating Sequences With Recurrent Neural Networks" (2013).
// TF.js keeps lr inside its momentum buffer; with a constant lr the two agree.
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's floor
// (src/options/half.ts, epsFloor: 2^-12 for f16), so a second moment lost to f16 underflow
// cannot turn the update into m / eps (README, "16-bit optimizer state").
// State arrays: 0 = square_avg, then momentum_buffer (if MOMENTUM), then grad_avg (if
// CENTERED).

override CENTERED: bool = false;
override MOMENTUM: bool = false;
override EPS_INSIDE_SQRT: bool = false;

struct RmspropUniforms {
  geo: Geometry,
  lr: f32,
  alpha: f32,
  one_minus_alpha: f32,
  eps: f32,
  weight_decay: f32,
  momentum: f32,
}

@group(0) @binding(5) var<uniform> u: RmspropUniforms;

// s0 = square_avg, then momentum_buffer (if MOMENTUM), then grad_avg (if CENTERED).
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var p = p_in;
  var g = g_in;
  var out = s;
  g = l2(g, p, u.weight_decay);
  let square_avg = s.s0 * u.alpha + u.one_minus_alpha * g * g;
  out.s0 = square_avg;
  var v = square_avg;
  if (CENTERED) {
    var grad_avg: vec4<f32>;
    if (MOMENTUM) {
      grad_avg = torch_lerp(s.s2, g, u.one_minus_alpha);
      out.s2 = grad_avg;
    } else {
      grad_avg = torch_lerp(s.s1, g, u.one_minus_alpha);
      out.s1 = grad_avg;
    }
    v = square_avg - grad_avg * grad_avg;
  }
  var avg: vec4<f32>;
  if (EPS_INSIDE_SQRT) {
    avg = sqrt(v + u.eps);
  } else {
    avg = sqrt(v) + u.eps;
  }
  if (MOMENTUM) {
    let buf = s.s1 * u.momentum + g / avg;
    out.s1 = buf;
    p = p - u.lr * buf;
  } else {
    p = p - u.lr * (g / avg);
  }
  return Updated(p, out);
}
