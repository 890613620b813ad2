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
//        ScheduleFreeAdamW (ALGO 7): from weight_sum (a pair hi + lo) and lr_max carried per
//                 tensor (carried[3i], [3i + 1], [3i + 2]): sched = t / warmup_steps while
//                 t <= warmup_steps, else 1; lr_t = lr · sched; lr_max = max(lr_t, lr_max);
//                 weight = t^r · lr_max^weight_lr_power (pow_f32); weight_sum += weight
//                 (add_weight); ckp1 = weight / hi (0 when that is 0); y_coef = lr_t · (β1 ·
//                 (1 − ckp1) − 1); first_step = (t == 1); bias_correction2. The new hi, lo and
//                 lr_max are left at words PREP + 4, 5, 6 for update_scale. Inputs: lr, row,
//                 warmup_steps (u32), β1, and r and weight_lr_power at PREP + 7, 8.
//                 train()/eval() run this too, for first_step: a tensor that has taken no
//                 step has no z, and the switch leaves it alone.
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
//      not advance it either; ScheduleFreeAdamW: weight_sum and lr_max likewise); then torch's _amp_update_scale_: on inf, scale *= backoff_factor and the growth
//      tracker resets; otherwise after growth_interval clean steps in a row, scale *=
//      growth_factor (kept only if finite). Then inv_scale = 1 / scale, last_found_inf =
//      found_inf and found_inf = 0 for the next step.
// src/reference mirrors every line in f32.

override WG_SIZE: u32 = 64u;
// 0: SGD, 1: Adagrad, 2: Adam and AdamW, 3: Adamax (only OUT0, from the beta1 columns),
// 5: NAdam, 6: RAdam, 7: ScheduleFreeAdamW.
override ALGO: u32 = 0u;
// u32 words per tensor slot of the uniform buffer, and word offsets inside a slot.
override SLOT_WORDS: u32 = 64u;
override PREP: u32 = 48u;
override OUT0: u32 = 0u;
override OUT1: u32 = 0u;
override OUT2: u32 = 0u;
override OUT3: u32 = 0u;
override OUT4: u32 = 0u;
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
// Per-tensor scalars carried from step to step on the GPU (NAdam: mu_product at [i];
// ScheduleFreeAdamW: weight_sum's hi and lo at [3i], [3i + 1], lr_max at [3i + 2]); unused by
// the others.
@group(0) @binding(4) var<storage, read_write> carried: array<f32>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// 2^k for an integer k in [-126, 127], from its bits.
fn exp2i(k: i32) -> f32 {
  return bitcast<f32>(u32(k + 127) << 23u);
}

// x^y for x >= 0 with +, -, *, / only, so that the CPU reference (powF32 in
// src/options/scalerScheduleFree.ts) can mirror it bit for bit: WGSL's pow() has no exact
// specification. An integer |y| <= 1024 is binary powering (x^2 = x * x exactly); otherwise
// 2^(y log2 x), log2 from the exponent bits and a series in s = (m - 1) / (m + 1) for the
// mantissa m, 2^f from a Taylor series of e^(f ln 2) for f in [-0.5, 0.5].
fn pow_f32(x: f32, y: f32) -> f32 {
  // a var, not a constant: a constant expression may not evaluate to inf
  var inf_bits = 0x7f800000u;
  let inf = bitcast<f32>(inf_bits);
  if (y == 0.0) {
    return 1.0;
  }
  if (x == 0.0) {
    return select(inf, 0.0, y > 0.0);
  }
  if (y == floor(y) && abs(y) <= 1024.0) {
    var result = 1.0;
    var b = x;
    var e = u32(abs(y));
    while (e > 0u) {
      if ((e & 1u) != 0u) {
        result = result * b;
      }
      b = b * b;
      e = e >> 1u;
    }
    return select(result, 1.0 / result, y < 0.0);
  }
  var xs = x;
  var e = 0;
  if (xs < 1.17549435e-38) {
    xs = xs * 16777216.0;
    e = -24;
  }
  let bits = bitcast<u32>(xs);
  e = e + i32(bits >> 23u) - 127;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.4142135) {
    m = m * 0.5;
    e = e + 1;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  var poly = 0.11111111;
  poly = 0.14285715 + s2 * poly;
  poly = 0.2 + s2 * poly;
  poly = 0.33333334 + s2 * poly;
  poly = 1.0 + s2 * poly;
  let log2m = 2.0 * s * poly * 1.442695;
  let z = y * (f32(e) + log2m);
  if (z >= 254.0) {
    return inf;
  }
  if (z <= -252.0) {
    return 0.0;
  }
  let nf = floor(z + 0.5);
  let g = (z - nf) * 0.6931472;
  var p = 1.0 / 5040.0;
  p = 1.0 / 720.0 + g * p;
  p = 1.0 / 120.0 + g * p;
  p = 1.0 / 24.0 + g * p;
  p = 1.0 / 6.0 + g * p;
  p = 0.5 + g * p;
  p = 1.0 + g * p;
  p = 1.0 + g * p;
  let n = i32(nf);
  let n1 = n / 2;
  return p * exp2i(n1) * exp2i(n - n1);
}

// lo with its bits below 2^(e - 51) cleared, e the exponent of hi: hi + lo then spans 52 bits
// at most, exact in f64 (the host saves that sum in state dicts and splits it back).
fn trim_lo(lo: f32, hi: f32) -> f32 {
  let e_hi = i32((bitcast<u32>(hi) >> 23u) & 0xffu);
  let lb = bitcast<u32>(lo);
  let e_lo = i32((lb >> 23u) & 0xffu);
  let keep = e_lo - e_hi + 52;
  if (keep >= 24) {
    return lo;
  }
  if (keep <= 0) {
    return 0.0;
  }
  return bitcast<f32>(lb & ~((1u << u32(24 - keep)) - 1u));
}

// (hi, lo) + w: TwoSum of hi and w, its error added to lo, renormalized by Fast2Sum so that
// hi = f32(hi + lo), then trim_lo. A plain f32 sum of a constant weight would drift (ckp1 off
// by 100 ULP after 1000 steps) and stall once the sum reaches 2^24 weights.
fn add_weight(hi: f32, lo: f32, w: f32) -> vec2<f32> {
  let s = hi + w;
  let bp = s - hi;
  let err = (hi - (s - bp)) + (w - bp);
  let lo1 = lo + err;
  let hi2 = s + lo1;
  let lo2 = lo1 - (hi2 - s);
  return vec2<f32>(hi2, trim_lo(lo2, hi2));
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
  } else if (ALGO == 7u) {
    let row = slots[base + PREP + 1u] * 32u;
    let warmup = slots[base + PREP + 2u];
    let beta1 = bitcast<f32>(slots[base + PREP + 3u]);
    let r = bitcast<f32>(slots[base + PREP + 7u]);
    let power = bitcast<f32>(slots[base + PREP + 8u]);
    var p2 = 1.0;
    var q2 = 0.0;
    for (var k = 0u; k < 32u; k++) {
      if (((t >> k) & 1u) != 0u) {
        let e = powers[row + k];
        q2 = q2 + p2 * e.w;
        p2 = p2 * e.z;
      }
    }
    var sched = 1.0;
    if (t <= warmup) {
      sched = f32(t) / f32(warmup);
    }
    let lr_t = lr * sched;
    let lr_max = max(lr_t, carried[3u * i + 2u]);
    let weight = pow_f32(f32(t), r) * pow_f32(lr_max, power);
    let weight_sum = add_weight(carried[3u * i], carried[3u * i + 1u], weight);
    var ckp1 = 0.0;
    if (weight_sum.x != 0.0) {
      ckp1 = weight / weight_sum.x;
    }
    slots[base + OUT0] = bitcast<u32>(lr_t);
    slots[base + OUT1] = bitcast<u32>(ckp1);
    slots[base + OUT2] = bitcast<u32>(lr_t * (beta1 * (1.0 - ckp1) - 1.0));
    slots[base + OUT3] = select(0u, 1u, t == 1u);
    slots[base + OUT4] = bitcast<u32>(q2);
    slots[base + PREP + 4u] = bitcast<u32>(weight_sum.x);
    slots[base + PREP + 5u] = bitcast<u32>(weight_sum.y);
    slots[base + PREP + 6u] = bitcast<u32>(lr_max);
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
      if (ALGO == 7u) {
        for (var j = 0u; j < 3u; j++) {
          carried[3u * i + j] = bitcast<f32>(slots[i * SLOT_WORDS + PREP + 4u + j]);
        }
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
