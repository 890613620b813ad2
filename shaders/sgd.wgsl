// sgd.wgsl: SGD with momentum, dampening, Nesterov, L2 weight decay and maximize.
//
// Follows torch.optim.SGD (_single_tensor_sgd). Per element, with g the gradient:
//   1. if MAXIMIZE: g = -g                (applied by common.wgsl as g is loaded)
//   2. if weight_decay != 0: g = g + weight_decay * p
//   3. if MOMENTUM:
//        first step:   buf = g                       (PyTorch clones g; no dampening)
//        later steps:  buf = buf * momentum + (1 - dampening) * g
//        if NESTEROV:  g = g + momentum * buf        else g = buf
//   4. p = p - lr * g
// Reference: Sutskever et al., "On the importance of initialization and momentum in deep
// learning" (2013), in PyTorch's formulation (lr multiplies the whole velocity).
// State arrays: 0 = momentum_buffer (only when MOMENTUM).

override MOMENTUM: bool = false;
override NESTEROV: bool = false;

struct SgdUniforms {
  geo: Geometry,
  lr: f32,
  weight_decay: f32,
  momentum: f32,
  one_minus_dampening: f32,
  first_step: u32, // 1 on the step that creates momentum_buffer
}

@group(0) @binding(5) var<uniform> u: SgdUniforms;

// s0 = momentum_buffer (NUM_STATES = 1 when MOMENTUM).
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  var p = p_in;
  var g = g_in;
  var out = s;
  g = l2(g, p, u.weight_decay);
  if (MOMENTUM) {
    var buf: vec4<f32>;
    if (u.first_step != 0u) {
      buf = g;
    } else {
      buf = s.s0 * u.momentum + u.one_minus_dampening * g;
    }
    out.s0 = buf;
    if (NESTEROV) {
      g = g + u.momentum * buf;
    } else {
      g = buf;
    }
  }
  p = p - u.lr * g;
  return Updated(p, out);
}
