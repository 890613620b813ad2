// gradnorm.wgsl: the pass over all of an optimizer's gradients that runs before its update:
// the global L2 norm for clipGradNorm (NORM) and the non-finite check of a GradScaler (CHECK).
// Standalone (no common.wgsl). No readback:
//   1. partial_sums, one dispatch per tensor: workgroup w reads its WG_SIZE · ITEMS elements
//      (each thread ITEMS of them, strided by WG_SIZE). With CHECK each is first unscaled,
//      g = g · control.inv_scale (PyTorch's scaler.unscale_), and a non-finite result sets
//      control.found_inf. With NORM the squares are summed in workgroup memory and written to
//      partials[u.out + w].
//   2. finalize (NORM only), one workgroup: sums every partial the same way, then writes
//      control.norm = sqrt(sum) and control.coef = min(1, max_norm / (norm + 1e-6)), the
//      factor torch.nn.utils.clip_grad_norm_ multiplies every gradient by. The update kernel
//      reads control.coef as it loads each gradient.
// Accumulation is f32 in a tree (per-thread runs, then pairwise), so the relative error grows
// like log2(n) ULPs rather than n. The finite check tests the exponent bits, which no compiler
// may fold away (unlike x != x under fast-math assumptions).

override WG_SIZE: u32 = 256u;
override ITEMS: u32 = 16u;
override NORM: bool = true;
override CHECK: bool = false;

// The same layout as Control in common.wgsl, with found_inf atomic for the check.
struct Control {
  scale: f32,
  inv_scale: f32,
  found_inf: atomic<u32>,
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

struct Params {
  offset: u32, // element offset of the grad inside `values`
  n: u32,      // elements (pass 1) or partials (pass 2)
  out: u32,    // first partial this tensor writes (pass 1)
  pad: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> control: Control;
@group(0) @binding(3) var<uniform> u: Params;

var<workgroup> scratch: array<f32, WG_SIZE>;

fn reduce(lid: u32, v: f32) -> f32 {
  scratch[lid] = v;
  workgroupBarrier();
  var stride = WG_SIZE / 2u;
  while (stride > 0u) {
    if (lid < stride) {
      scratch[lid] = scratch[lid] + scratch[lid + stride];
    }
    workgroupBarrier();
    stride = stride / 2u;
  }
  return scratch[0];
}

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WG_SIZE)
fn partial_sums(@builtin(workgroup_id) wg: vec3<u32>,
                @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let w = wg.x + wg.y * groups.x;
  let start = w * WG_SIZE * ITEMS;
  var acc = 0.0;
  var bad = false;
  for (var j = 0u; j < ITEMS; j++) {
    let i = start + j * WG_SIZE + lid;
    if (i < u.n) {
      var g = values[u.offset + i];
      if (CHECK) {
        g = g * control.inv_scale;
        bad = bad || !is_finite(g);
      }
      acc = acc + g * g;
    }
  }
  if (CHECK && bad) {
    atomicStore(&control.found_inf, 1u);
  }
  if (NORM) {
    let total = reduce(lid, acc);
    if (lid == 0u && start < u.n) {
      partials[u.out + w] = total;
    }
  }
}

@compute @workgroup_size(WG_SIZE)
fn finalize(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < u.n; i += WG_SIZE) {
    acc = acc + partials[i];
  }
  let total = reduce(lid, acc);
  if (lid == 0u) {
    let norm = sqrt(total);
    control.norm = norm;
    control.coef = min(1.0, control.max_norm / (norm + 1e-6));
  }
}
