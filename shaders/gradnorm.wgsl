// gradnorm.wgsl: the pass over all of an optimizer's gradients that runs before its update:
// the global L2 norm for clipGradNorm (NORM) and the non-finite check of a GradScaler (CHECK).
// Standalone (no common.wgsl). No readback:
//   1. partial_sums, one dispatch per grad buffer (every tensor whose grad lies in it): each
//      workgroup finds its tensor in `spans` (a binary search over first workgroups, paid once
//      per WG_SIZE · ITEMS vec4s) and reads its share: WG_SIZE · ITEMS vec4s (each thread
//      ITEMS of them, strided by WG_SIZE; the tensor's first workgroup also the scalar head and
//      tail, fewer than 4 elements each). With CHECK each is first unscaled,
//      g = g · control.inv_scale (PyTorch's scaler.unscale_), and a non-finite result sets
//      control.found_inf. With NORM each thread writes the sum of its squares to
//      partials[span.out + w · WG_SIZE + lid] (w: the workgroup's index within its tensor).
//   2. finalize (NORM only), one workgroup: adds every partial, then writes
//      control.norm = sqrt(sum) and control.coef = min(1, max_norm / (norm + 1e-6)), the
//      factor torch.nn.utils.clip_grad_norm_ multiplies every gradient by. The update kernel
//      reads control.coef as it loads each gradient.
// Accumulation is f32: per-lane runs of ITEMS squares, the four lanes, Kahan-compensated
// per-thread sums of the partials, then a tree, so the relative error stays within about
// (ITEMS + 2 + 2 + log2(WG_SIZE)) ULPs however many elements there are.
// vec4 loads matter on CPU implementations such as SwiftShader, where four scalar loads per
// vec4 made this pass slower than the update itself. The finite check tests the exponent
// bits, which no compiler may fold away (unlike x != x under fast-math assumptions).

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

// One tensor of a dispatch: the grads of every tensor in one buffer go in one dispatch.
struct Span {
  offset: u32, // element offset of the grad inside `values`
  n: u32,      // elements
  out: u32,    // first partial this tensor writes
  first: u32,  // the tensor's first workgroup in this dispatch
}

struct Pass {
  tensors: u32,    // rows of `spans` (partial_sums)
  partials: u32,   // partials to add (finalize)
  workgroups: u32, // workgroups with work (partial_sums; a 2-D grid may launch more)
  pad: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
// The same range as `values`, for the vec4 body.
@group(0) @binding(4) var<storage, read> values4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> spans: array<Span>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> control: Control;
@group(0) @binding(3) var<uniform> u: Pass;

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

fn load(t: Span, i: u32) -> f32 {
  return values[t.offset + i];
}

// One gradient value as the pass sees it: unscaled with CHECK.
struct Acc {
  sum: f32,
  bad: bool,
}

fn visit(acc: Acc, g_in: f32, inv_scale: f32) -> Acc {
  var out = acc;
  var g = g_in;
  if (CHECK) {
    g = g * inv_scale;
    out.bad = out.bad | !is_finite(g);
  }
  if (NORM) {
    out.sum = out.sum + g * g;
  }
  return out;
}

@compute @workgroup_size(WG_SIZE)
fn partial_sums(@builtin(workgroup_id) wg: vec3<u32>,
                @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let g_w = wg.x + wg.y * groups.x;
  if (g_w >= u.workgroups) {
    return;
  }
  // This workgroup's tensor: the last span whose first workgroup is at or before it.
  var lo = 0u;
  var hi = u.tensors;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (spans[mid].first <= g_w) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  let t = spans[lo];
  let w = g_w - t.first;
  // The tensor is a scalar head (up to the first 16-byte boundary), a vec4 body read through
  // values4 (the same range as values), and a scalar tail; workgroup 0 also takes the scalars.
  let head = min(t.n, (4u - (t.offset & 3u)) & 3u);
  let body4 = (t.n - head) / 4u;
  let first4 = (t.offset + head) / 4u;
  // Read once: found_inf is written atomically by other workgroups, so a load inside the loop
  // could not be hoisted by the compiler.
  let inv_scale = control.inv_scale;
  var acc = Acc(0.0, false);
  var acc4 = vec4<f32>(0.0);
  let start = w * WG_SIZE * ITEMS;
  for (var j = 0u; j < ITEMS; j++) {
    let k = start + j * WG_SIZE + lid;
    if (k < body4) {
      var g = values4[first4 + k];
      if (CHECK) {
        g = g * inv_scale;
        acc.bad = acc.bad | any((bitcast<vec4<u32>>(g) & vec4<u32>(0x7f800000u)) == vec4<u32>(0x7f800000u));
      }
      if (NORM) {
        acc4 = acc4 + g * g;
      }
    }
  }
  if (w == 0u) {
    if (lid < head) {
      acc = visit(acc, load(t, lid), inv_scale);
    }
    let tail = t.n - head - 4u * body4;
    if (lid < tail) {
      acc = visit(acc, load(t, head + 4u * body4 + lid), inv_scale);
    }
  }
  if (CHECK && acc.bad) {
    atomicStore(&control.found_inf, 1u);
  }
  if (NORM) {
    // One partial per thread: no workgroup barrier in this pass (on SwiftShader a barrier
    // tree per workgroup cost more than the reads).
    partials[t.out + w * WG_SIZE + lid] = acc.sum + ((acc4.x + acc4.y) + (acc4.z + acc4.w));
  }
}

@compute @workgroup_size(WG_SIZE)
fn finalize(@builtin(local_invocation_index) lid: u32) {
  // Each thread adds every WG_SIZE-th partial with Kahan's compensation (error about 2 ULP
  // however many there are), then the workgroup adds the threads' sums in a tree.
  var acc = 0.0;
  var carry = 0.0;
  for (var i = lid; i < u.partials; i += WG_SIZE) {
    let y = partials[i] - carry;
    let t = acc + y;
    // Once the sum overflows, (inf - acc) - y would be NaN: keep inf instead.
    carry = select(0.0, (t - acc) - y, is_finite(t));
    acc = t;
  }
  let total = reduce(lid, acc);
  if (lid == 0u) {
    let norm = sqrt(total);
    control.norm = norm;
    control.coef = min(1.0, control.max_norm / (norm + 1e-6));
  }
}
