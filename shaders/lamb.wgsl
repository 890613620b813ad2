// lamb.wgsl: LAMB, as optax's `lamb` chains it: scale_by_adam → add_decayed_weights →
// scale_by_trust_ratio → scale by -lr. You et al., "Large Batch Optimization for Deep
// Learning: Training BERT in 76 minutes" (ICLR 2020).
//
// The host computes, for step t, inv_bias_correction1 = 1 / (1 - beta1^t),
// bias_correction2 = 1 - beta2^t and its square root. Per element, for every tensor:
//   1. if MAXIMIZE: g = -g                            (common.wgsl, as g is loaded)
//   2. exp_avg = lerp(exp_avg, g, 1 - beta1)
//   3. exp_avg_sq = exp_avg_sq * beta2 + (1 - beta2) * g * g
//   4. denom = sqrt(exp_avg_sq) / bias_correction2_sqrt + eps   (optax: sqrt(nu_hat) + eps)
//   5. u = (exp_avg / denom) * inv_bias_correction1             (optax: mu_hat / denom)
//   6. if weight_decay != 0: u = u + weight_decay * p            (add_decayed_weights)
// Per tensor: ratio = ‖p‖ / ‖u‖, or 1 where either norm is 0 (scale_by_trust_ratio with
// optax's defaults min_norm 0, trust_coefficient 1). Then per element:
//   7. p = p - lr * (ratio * u)
// The ratio needs every element of the tensor before any is updated, so a step takes three
// passes (tensor_sums.wgsl): `tensor_sums` computes steps 1–6 without storing anything and adds
// p² and u² per workgroup; `tensor_finalize` adds a tensor's partials and calls tensor_ratio;
// `main` (common.wgsl) repeats steps 1–6 identically, stores the moments and applies step 7.
// Recomputing the moments in the update (rather than storing them in the first pass) keeps
// every pass's inputs the state as it was before the step, so a pass never reads what another
// wrote and u is bitwise the same in both.
// Flat runs (a ParamArena's tensors, gathered small tensors): the update runs a run as one row
// and finds each element's tensor in `starts` (ratio_index); the sums pass keeps one row per
// tensor, its zero padding included (zero p, g and state give u = 0: it adds nothing).
// With 16-bit state (stateDtype), u.eps arrives raised to the storage type's floor.
// State arrays: 0 = exp_avg, 1 = exp_avg_sq.

struct LambUniforms {
  geo: Geometry,
  weight_decay: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  inv_bias_correction1: f32,
  bias_correction2: f32,
  bias_correction2_sqrt: f32,
  eps: f32,
  lr: f32,
  // Tensor-sums bookkeeping (tensor_sums.wgsl), written by the host with the scalars:
  ratio_base: u32,     // index of this dispatch's first tensor among the optimizer's tensors
  partial_base: u32,   // first partial this dispatch writes
  sum_workgroups: u32, // MULTI: workgroups with work in the group's sums dispatch
  ratio_count: u32,    // MULTI with flat runs: the group's tensors (0: one tensor per row)
}

@group(0) @binding(5) var<uniform> u: LambUniforms;
// The trust ratio of every tensor of the optimizer, written by tensor_finalize (as
// `ratios_out`). A uniform binding: the update's storage bindings are all taken (common.wgsl).
@group(0) @binding(12) var<uniform> ratios: array<vec4<f32>, MAX_SUM_TENSORS_VEC4>;
// Where each tensor of the optimizer starts: its first element in its group's param bindings
// (ascending within a group), written by the host when it binds. The update's row of a flat run
// spans several tensors, so it finds an element's tensor here (ratio_index).
@group(0) @binding(13) var<uniform> starts: array<vec4<u32>, MAX_SUM_TENSORS_VEC4>;
// The tensor this invocation last looked up (its items ascend, so the next is at or after it).
var<private> ratio_at: u32 = 0u;
// Where the tensor after ratio_at starts (past the group's last: 0xffffffff; 0: none yet).
var<private> ratio_next: u32 = 0u;

struct Direction {
  exp_avg: vec4<f32>,
  exp_avg_sq: vec4<f32>,
  u: vec4<f32>,
}

// Steps 2–6.
fn lamb_direction(p: vec4<f32>, g: vec4<f32>, s: States) -> Direction {
  let exp_avg = torch_lerp(s.s0, g, u.one_minus_beta1);
  let exp_avg_sq = s.s1 * u.beta2 + u.one_minus_beta2 * g * g;
  let denom = sqrt(exp_avg_sq) / u.bias_correction2_sqrt + u.eps;
  var d = (exp_avg / denom) * u.inv_bias_correction1;
  if (u.weight_decay != 0.0) {
    d = d + u.weight_decay * p;
  }
  return Direction(exp_avg, exp_avg_sq, d);
}

// The per-element terms tensor_sums adds up: p² and u².
fn tensor_terms(p: vec4<f32>, g: vec4<f32>, s: States) -> Terms {
  let d = lamb_direction(p, g, s);
  return Terms(p * p, d.u * d.u, vec4<f32>(0.0), vec4<f32>(0.0));
}

// A tensor's trust ratio from its sums (tensor_finalize).
fn tensor_ratio(sums: vec4<f32>) -> f32 {
  let param_norm = sqrt(sums.x);
  let update_norm = sqrt(sums.y);
  if (param_norm == 0.0 || update_norm == 0.0) {
    return 1.0;
  }
  return param_norm / update_norm;
}

fn start_of(i: u32) -> u32 {
  return starts[i >> 2u][i & 3u];
}

// The index of the element's tensor among the optimizer's. A row that is one tensor: the
// dispatch's first tensor plus the row. In a group with flat runs (u.ratio_count > 0): the
// last of the group's tensors that starts at or before elem_index: the workgroup's tensor when
// all its elements lie in one (row_single, from `owner`), else a walk forward from the tensor
// where the workgroup starts (row_seed), then from the last one found (a thread's items ascend). The tensor found is kept with where the next one starts, so an item
// in the same tensor as the last loads nothing.
fn ratio_index() -> u32 {
  // SEEDED_ROWS is set only on a group with flat runs (u.ratio_count > 0): without it the
  // lookup below is left out of the pipeline, which on SwiftShader slowed every row.
  if (!MULTI || !SEEDED_ROWS) {
    return u.ratio_base + tensor_row;
  }
  if (row_single) {
    return u.ratio_base + row_seed;
  }
  if (elem_index < ratio_next) {
    return ratio_at;
  }
  let hi = u.ratio_base + u.ratio_count;
  // ratio_next is 0 only before the first lookup: no tensor but the group's first starts at 0.
  var i = select(ratio_at + 1u, u.ratio_base + row_seed, ratio_next == 0u);
  while (i + 1u < hi && start_of(i + 1u) <= elem_index) {
    i = i + 1u;
  }
  ratio_at = i;
  ratio_next = select(0xffffffffu, start_of(i + 1u), i + 1u < hi);
  return i;
}

// s0 = exp_avg, s1 = exp_avg_sq.
fn update(p: vec4<f32>, g: vec4<f32>, s: States) -> Updated {
  let d = lamb_direction(p, g, s);
  let i = ratio_index();
  let ratio = ratios[i >> 2u][i & 3u];
  return Updated(p - u.lr * (ratio * d.u), States(d.exp_avg, d.exp_avg_sq, vec4<f32>(0.0)));
}
