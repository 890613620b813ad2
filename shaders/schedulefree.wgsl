// schedulefree.wgsl: Schedule-Free AdamW, and its train()/eval() param switch.
//
// Follows facebookresearch/schedule_free AdamWScheduleFree (schedulefree/adamw_schedulefree.py,
// v1.3, commit b3be06f; its single-tensor loop); Defazio et al., "The Road Less Scheduled"
// (NeurIPS 2024). The param holds y in train mode and x in eval mode; state z is the base
// sequence. The host computes, in f64, the scheduled lr (warmup), lr_max, the weight sum,
// ckp1 = weight / weight_sum, y_coef = lr · (β1 · (1 − ckp1) − 1) and
// bias_correction2 = 1 − β2^t (src/options/scheduleFree.ts); with a GradScaler, gradscaler.wgsl's
// prepare computes them in f32 from the steps taken (ALGO 7). Per element, SF_MODE 0 (step):
//   1. if first_step: z = p                       (the reference clones the param into z)
//   2. exp_avg_sq = exp_avg_sq · β2 + (1 − β2) · g · g
//   3. denom = sqrt(exp_avg_sq / bias_correction2) + eps   (ε outside the root)
//   4. g = g / denom
//   5. if weight_decay != 0: g = g + weight_decay · y     (decay taken at y)
//   6. y = lerp(y, z, ckp1)
//   7. y = y + y_coef · g
//   8. z = z − lr · g
// SF_MODE 1 (eval): saved_y = y; p = lerp(y, z, 1 − 1/β1) = x.
// Both mode passes leave a tensor alone when first_step is set: it has taken no step, so it has
// no z (with a GradScaler, prepare sets it from the GPU's count of steps taken).
// SF_MODE 2 (train): p = lerp(x, z, 1 − β1) = y, except where x is exactly what eval()
// computed from saved_y (the param was not changed in eval mode): there p = saved_y, so
// eval() then train() restores the params bitwise (the lerp does not round-trip in f32).
// lerp is torch.lerp's formula (torch_lerp in common.wgsl), as the reference's lerp_.
// State arrays: 0 = z, 1 = exp_avg_sq, 2 = saved_y (the mode passes only; NUM_STATES 3).

override SF_MODE: u32 = 0u;

struct SfUniforms {
  geo: Geometry,
  weight_decay: f32,
  beta2: f32,
  one_minus_beta2: f32,
  bias_correction2: f32,
  eps: f32,
  lr: f32,
  ckp1: f32,
  y_coef: f32,
  first_step: u32,
  eval_weight: f32,  // 1 - 1/beta1
  train_weight: f32, // 1 - beta1
}

@group(0) @binding(5) var<uniform> u: SfUniforms;

fn switch_mode(p: vec4<f32>, s: States) -> Updated {
  if (u.first_step != 0u) {
    return Updated(p, s);
  }
  var out = s;
  if (SF_MODE == 1u) {
    out.s2 = p;
    return Updated(torch_lerp(p, s.s0, u.eval_weight), out);
  }
  let formula = torch_lerp(p, s.s0, u.train_weight);
  let unchanged = p == torch_lerp(s.s2, s.s0, u.eval_weight);
  return Updated(select(formula, s.s2, unchanged), out);
}

// s0 = z, s1 = exp_avg_sq, s2 = saved_y (mode passes).
fn update(p_in: vec4<f32>, g_in: vec4<f32>, s: States) -> Updated {
  if (SF_MODE != 0u) {
    return switch_mode(p_in, s);
  }
  var out = s;
  var z = s.s0;
  if (u.first_step != 0u) {
    z = p_in;
  }
  let exp_avg_sq = s.s1 * u.beta2 + u.one_minus_beta2 * g_in * g_in;
  out.s1 = exp_avg_sq;
  let denom = sqrt(exp_avg_sq / u.bias_correction2) + u.eps;
  var g = g_in / denom;
  g = l2(g, p_in, u.weight_decay);
  var y = torch_lerp(p_in, z, u.ckp1);
  y = y + u.y_coef * g;
  out.s0 = z - u.lr * g;
  return Updated(y, out);
}
