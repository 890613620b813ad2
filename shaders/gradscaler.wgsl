// gradscaler.wgsl: the GPU side of GradScaler, modelled on torch.amp.GradScaler, so that a
// mixed-precision step needs no readback. Standalone (no common.wgsl). A step with a scaler
// records, in one compute pass:
//   1. gradnorm.wgsl's partial_sums with CHECK: unscale each gradient and set
//      control.found_inf if any is inf or NaN (PyTorch's _amp_foreach_non_finite_check_and_
//      unscale_; we test the unscaled value, which also catches an overflow by the unscale).
//   2. prepare (this file), one thread per tensor: the step-dependent uniform fields from the
//      count of steps actually taken, steps[i] + 1, which only the GPU knows. The host writes
//      every other field, plus this kernel's inputs at word PREP of each tensor's slot.
//        SGD:     first_step = (t == 1)
//        Adagrad: clr = lr / (1 + (t - 1) · lr_decay)
//        Adam:    step_size = lr / (1 - beta1^t), bias_correction2 = 1 - beta2^t and its sqrt
//        Adamax:  clr = lr / (1 - beta1^t)
//        NAdam:   bias_correction2, mu_t = beta1 (1 - 0.5 d_t) with d_t = 0.96^(t psi) from a
//                 table of 0.96^(psi 2^k), mu_{t+1} likewise, mu_product = carried[i] * mu_t,
//                 grad_coef and avg_coef (shaders/nadam.wgsl); mu_product is also left at word
//                 PREP + 4 of the slot for update_scale
//        RAdam:   bias_correction1, sqrt(bias_correction2), rho_t (a cancellation-free sum
//                 for t <= 256, else rho_inf - 2t beta2^t / bias_correction2 with rho_inf from
//                 the host), rectified = rho_t > 5 and rect: the rectification branch is
//                 chosen here, on the GPU
//      1 - beta^t comes from the binary digits of t and a host table of f32(beta^(2^k)) and
//      f32(1 - beta^(2^k)) (computed in f64), combined as 1 - a·b = (1 - a) + a·(1 - b): at
//      most popcount(t) roundings, and no cancellation when beta^t is close to 1.
//   3. the update kernel, which unscales each gradient and returns at once when found_inf is
//      set, so a skipped step leaves params, state and step counts bitwise untouched.
//   4. update_scale (this file), one workgroup: if no inf was found, steps[i] += 1 for every
//      tensor (NAdam: and carried[i] = the mu_product prepare computed, so a skipped step does
//      not advance it either); then torch's _amp_update_scale_: on inf, scale *= backoff_factor and the growth
//      tracker resets; otherwise after growth_interval clean steps in a row, scale *=
//      growth_factor (kept only if finite). Then inv_scale = 1 / scale, last_found_inf =
//      found_inf and found_inf = 0 for the next step.
// src/reference mirrors every line in f32.

override WG_SIZE: u32 = 64u;
// 0: SGD, 1: Adagrad, 2: Adam and AdamW, 3: Adamax (only OUT0, from the beta1 columns),
// 5: NAdam, 6: RAdam.
override ALGO: u32 = 0u;
// u32 words per tensor slot of the uniform buffer, and word offsets inside a slot.
override SLOT_WORDS: u32 = 64u;
override PREP: u32 = 48u;
override OUT0: u32 = 0u;
override OUT1: u32 = 0u;
override OUT2: u32 = 0u;
override OUT3: u32 = 0u;
// RAdam: steps up to which rho_t is summed term by term (see prepare).
const SMALL_T: u32 = 256u;

struct Control {
  scale: f32,
  inv_scale: f32,
  found_inf: u32,
  growth_tracker: u32,
  norm: f32,
  coef: f32,
  clip_value: f32,
  max_norm: f32,
  growth_factor: f32,
  backoff_factor: f32,
  growth_interval: u32,
  last_found_inf: u32,
}

@group(0) @binding(0) var<storage, read_write> control: Control;
// Steps actually taken, per tensor.
@group(0) @binding(1) var<storage, read_write> steps: array<u32>;
// The optimizer's uniform buffer, as words.
@group(0) @binding(2) var<storage, read_write> slots: array<u32>;
// Per param group, 32 rows k: (beta1^(2^k), 1 - beta1^(2^k), beta2^(2^k), 1 - beta2^(2^k));
// NAdam: (0.96^(psi 2^k), 0, beta2^(2^k), 1 - beta2^(2^k)) with psi = momentum_decay.
@group(0) @binding(3) var<storage, read> powers: array<vec4<f32>>;
// A per-tensor scalar carried from step to step on the GPU (NAdam: mu_product); unused by the
// other algorithms.
@group(0) @binding(4) var<storage, read_write> carried: array<f32>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WG_SIZE)
fn prepare(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&steps)) {
    return;
  }
  let base = i * SLOT_WORDS;
  let t = steps[i] + 1u;
  let lr = bitcast<f32>(slots[base + PREP]);
  if (ALGO == 0u) {
    slots[base + OUT0] = bitcast<u32>(select(0.0, 1.0, t == 1u));
  } else if (ALGO == 1u) {
    let lr_decay = bitcast<f32>(slots[base + PREP + 2u]);
    slots[base + OUT0] = bitcast<u32>(lr / (1.0 + f32(t - 1u) * lr_decay));
  } else if (ALGO == 5u) {
    let row = slots[base + PREP + 1u] * 32u;
    let beta1 = bitcast<f32>(slots[base + PREP + 3u]);
    var d = 1.0;
    var d_next = 1.0;
    var p2 = 1.0;
    var q2 = 0.0;
    for (var k = 0u; k < 32u; k++) {
      let e = powers[row + k];
      if (((t >> k) & 1u) != 0u) {
        d = d * e.x;
        q2 = q2 + p2 * e.w;
        p2 = p2 * e.z;
      }
      if ((((t + 1u) >> k) & 1u) != 0u) {
        d_next = d_next * e.x;
      }
    }
    let mu = beta1 * (1.0 - 0.5 * d);
    let mu_next = beta1 * (1.0 - 0.5 * d_next);
    let mu_product = carried[i] * mu;
    let mu_product_next = mu_product * mu_next;
    slots[base + OUT0] = bitcast<u32>(q2);
    slots[base + OUT1] = bitcast<u32>(-lr * (1.0 - mu) / (1.0 - mu_product));
    slots[base + OUT2] = bitcast<u32>(-lr * mu_next / (1.0 - mu_product_next));
    slots[base + PREP + 4u] = bitcast<u32>(mu_product);
  } else {
    let row = slots[base + PREP + 1u] * 32u;
    var p1 = 1.0;
    var q1 = 0.0;
    var p2 = 1.0;
    var q2 = 0.0;
    for (var k = 0u; k < 32u; k++) {
      if (((t >> k) & 1u) != 0u) {
        let e = powers[row + k];
        q1 = q1 + p1 * e.y;
        p1 = p1 * e.x;
        q2 = q2 + p2 * e.w;
        p2 = p2 * e.z;
      }
    }
    if (ALGO == 6u) {
      let rho_inf = bitcast<f32>(slots[base + PREP + 3u]);
      // rho_inf − 2t·b^t/(1 − b^t) = Σ_{s<t} (2s + 1)·b^s / Σ_{s<t} b^s (b = beta2): a
      // weighted mean of positive terms, free of the cancellation the first form suffers in
      // f32 while rho_t is far below rho_inf; used for t ≤ SMALL_T, the first form after.
      var rho_t: f32;
      if (t <= SMALL_T) {
        let b = powers[row].z;
        var num = 0.0;
        var den = 0.0;
        var bs = 1.0;
        for (var s = 0u; s < t; s++) {
          num = num + f32(2u * s + 1u) * bs;
          den = den + bs;
          bs = bs * b;
        }
        rho_t = num / den;
      } else {
        rho_t = rho_inf - 2.0 * f32(t) * p2 / q2;
      }
      let rectified = rho_t > 5.0;
      var rect = 0.0;
      if (rectified) {
        rect = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                    ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
      }
      slots[base + OUT0] = bitcast<u32>(q1);
      slots[base + OUT1] = bitcast<u32>(sqrt(q2));
      slots[base + OUT2] = bitcast<u32>(rect);
      slots[base + OUT3] = select(0u, 1u, rectified);
    } else {
      slots[base + OUT0] = bitcast<u32>(lr / q1);
      if (ALGO == 2u) {
        slots[base + OUT1] = bitcast<u32>(q2);
        slots[base + OUT2] = bitcast<u32>(sqrt(q2));
      }
    }
  }
}

var<workgroup> found: u32;

@compute @workgroup_size(WG_SIZE)
fn update_scale(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    found = control.found_inf;
  }
  let bad = workgroupUniformLoad(&found);
  if (bad == 0u) {
    for (var i = lid; i < arrayLength(&steps); i += WG_SIZE) {
      steps[i] = steps[i] + 1u;
      if (ALGO == 5u) {
        carried[i] = bitcast<f32>(slots[i * SLOT_WORDS + PREP + 4u]);
      }
    }
  }
  if (lid == 0u) {
    var scale = control.scale;
    if (bad != 0u) {
      scale = scale * control.backoff_factor;
      control.growth_tracker = 0u;
    } else {
      let successful = control.growth_tracker + 1u;
      if (successful == control.growth_interval) {
        let grown = scale * control.growth_factor;
        if (is_finite(grown)) {
          scale = grown;
        }
        control.growth_tracker = 0u;
      } else {
        control.growth_tracker = successful;
      }
    }
    control.scale = scale;
    control.inv_scale = 1.0 / scale;
    control.last_found_inf = bad;
    control.found_inf = 0u;
  }
}
