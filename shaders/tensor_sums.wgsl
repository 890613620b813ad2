// tensor_sums.wgsl: per-tensor sums on the GPU with no readback, for updates that need a
// per-tensor value (a norm, an RMS) before any element of the tensor is updated. Appended after
// common.wgsl and an algorithm's file, which supplies
//   fn tensor_terms(p, g, s: States) -> Terms   up to four per-element terms (as vec4 lanes)
//   fn tensor_ratio(sums: vec4<f32>) -> f32     one tensor's value from its four sums
// and reads the value back in its `update` as ratios[u.ratio_base + tensor_row].
// A step records, in the one compute pass of the step:
//   1. tensor_sums: the update's dispatches again (the same bind group ranges and geometry:
//      one per param group on a ParamArena), with this entry point, on ceil(update workgroups /
//      SUMS_WG) workgroups; where the update runs a flat run as one row, the group's sums
//      dispatch has rows of its own, one per tensor (binder.ts), and w counts their workgroups. Thread w runs, for each element of the update's workgroup w, the
//      update's loads (prepare_grad included, so clipping, the GradScaler's unscale and
//      maximize apply) and tensor_terms instead of update, adds the terms and writes one vec4
//      partial: partials[u.partial_base + w]. Nothing else is written, so the update's inputs
//      are untouched. No barrier: on SwiftShader a workgroup that reaches one costs ms.
//   2. tensor_finalize: one dispatch for the whole optimizer, one thread per tensor: adds the
//      tensor's partials (sum_spans[i]: first and count) in order and writes
//      ratios_out[i] = tensor_ratio(sums).
//   3. the update (common.wgsl's main), which reads the value as a uniform.
// The sums entry point does not use `owner` (binding 7): with `partials` the pipeline would
// exceed WebGPU's default of 8 storage buffers per stage, so it finds its tensor by a binary
// search over the group's first-workgroup column (reserved0), as gradnorm.wgsl does.
// Accumulation is f32: the lanes of each vec4, a Kahan-compensated sum of an update
// workgroup's elements in order, then a Kahan-compensated sum of the partials.

// Threads per workgroup of tensor_sums (SUMS_WORKGROUP in src/kernels/tensorSums.ts). Each
// thread sums a whole update workgroup (WG_SIZE items), so a small tensor dispatched alone
// needs few threads: workgroups of WG_SIZE threads left it one workgroup, one CPU core on
// SwiftShader, while the other idled (separate buffers: the pass took 1.5x the arena's).
const SUMS_WG: u32 = 32u;

// The most tensors one optimizer can have: `ratios` is a uniform array (64 KiB, WebGPU's
// default maxUniformBufferBindingSize) of this many vec4s.
const MAX_SUM_TENSORS_VEC4: u32 = 4096u;

struct Terms {
  a: vec4<f32>,
  b: vec4<f32>,
  c: vec4<f32>,
  d: vec4<f32>,
}

struct SumSpan {
  first: u32, // the tensor's first partial
  count: u32, // its partials
}

@group(0) @binding(9) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read> sum_spans: array<SumSpan>;
@group(0) @binding(11) var<storage, read_write> ratios_out: array<f32>;

fn lanes(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

// The four sums of the vec4 body's thread t (zero past the body).
fn sums_body(geo: Geometry, t: u32) -> vec4<f32> {
  if (t >= geo.body4) {
    return vec4<f32>(0.0);
  }
  let e = geo.head + 4u * t;
  let pi = (geo.param_off + e) >> 2u;
  let gi = (geo.grad_off + e) >> 2u;
  let si = (geo.state_off + e) >> 2u;
  let stride = geo.state_stride >> 2u;
  var g: vec4<f32>;
  if (GRAD_IN_PARAM) {
    g = param4[gi];
  } else {
    g = grad4[gi];
  }
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (NUM_STATES > 0u) { s.s0 = load_state4(si); }
  if (NUM_STATES > 1u) { s.s1 = load_state4(si + stride); }
  if (NUM_STATES > 2u) { s.s2 = load_state4(si + 2u * stride); }
  let r = tensor_terms(param4[pi], prepare_grad(g), s);
  return vec4<f32>(lanes(r.a), lanes(r.b), lanes(r.c), lanes(r.d));
}

// The four terms of scalar k (the head, then the tail; zero past them).
fn sums_scalar(geo: Geometry, k: u32) -> vec4<f32> {
  if (k >= geo.n - 4u * geo.body4) {
    return vec4<f32>(0.0);
  }
  let e = select(k + 4u * geo.body4, k, k < geo.head);
  let si = geo.state_off + e;
  let stride = geo.state_stride;
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (NUM_STATES > 0u) { s.s0 = vec4<f32>(load_state1(si)); }
  if (NUM_STATES > 1u) { s.s1 = vec4<f32>(load_state1(si + stride)); }
  if (NUM_STATES > 2u) { s.s2 = vec4<f32>(load_state1(si + 2u * stride)); }
  let r = tensor_terms(vec4<f32>(param_at(geo.param_off + e, geo.param_split)),
                       prepare_grad(vec4<f32>(grad_at(geo.grad_off + e, geo.grad_split))), s);
  return vec4<f32>(r.a.x, r.b.x, r.c.x, r.d.x);
}

fn sums_both(geo: Geometry, t: u32) -> vec4<f32> {
  if (t < geo.body4) {
    return sums_body(geo, t);
  }
  return sums_scalar(geo, t - geo.body4);
}

// acc += v with Kahan's compensation in carry. Once a sum overflows, (inf - acc) - y would be
// NaN: keep inf instead.
fn kahan_add(acc: ptr<function, vec4<f32>>, carry: ptr<function, vec4<f32>>, v: vec4<f32>) {
  let y = v - *carry;
  let t = *acc + y;
  let finite = (bitcast<vec4<u32>>(t) & vec4<u32>(0x7f800000u)) != vec4<u32>(0x7f800000u);
  *carry = select(vec4<f32>(0.0), (t - *acc) - y, finite);
  *acc = t;
}

fn ceil_div(a: u32, b: u32) -> u32 {
  return (a + b - 1u) / b;
}

// One thread per workgroup of the update's grid, no barrier: thread w adds, in order and Kahan-compensated, the terms
// of the WG_SIZE threads that the update's workgroup w runs and writes partial w. On SwiftShader
// every workgroup that reaches a barrier costs milliseconds (a workgroup sum per update
// workgroup made this pass 50x the update on a 2^23 tensor). The host dispatches
// ceil(update workgroups / SUMS_WG) workgroups, in x.
@compute @workgroup_size(SUMS_WG)
fn tensor_sums(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(num_workgroups) groups: vec3<u32>) {
  // A skipped step: the update returns too, so the ratios are never read.
  if (SCALER && control.found_inf != 0u) {
    return;
  }
  // A grid past the per-dimension limit folds into y.
  let w = gid.x + gid.y * groups.x * SUMS_WG;
  var acc = vec4<f32>(0.0);
  var carry = vec4<f32>(0.0);
  var slot: u32;
  if (MULTI) {
    if (w >= u.sum_workgroups) {
      return;
    }
    // This workgroup's tensor: the last row whose first workgroup is at or before it.
    var lo = 0u;
    var hi = arrayLength(&tensors);
    while (hi - lo > 1u) {
      let mid = (lo + hi) / 2u;
      if (tensors[mid].reserved0 <= w) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    let geo = tensors[lo];
    // The same split of the tensor's workgroups as main's MULTI branch.
    let k = w - geo.reserved0;
    if (k < geo.reserved1) {
      let items = geo.reserved2;
      for (var j = 0u; j < items; j++) {
        for (var l = 0u; l < WG_SIZE; l++) {
          kahan_add(&acc, &carry, sums_body(geo, (k * items + j) * WG_SIZE + l));
        }
      }
    } else if (MODE != 0u) {
      let skip = select(0u, geo.body4, geo.reserved1 > 0u);
      for (var l = 0u; l < WG_SIZE; l++) {
        kahan_add(&acc, &carry, sums_both(geo, skip + (k - geo.reserved1) * WG_SIZE + l));
      }
    }
    slot = u.partial_base + w;
  } else {
    // One tensor: its body partials, then its scalar ones (the body and tail dispatches).
    let geo = u.geo;
    let scalars = geo.n - 4u * geo.body4;
    var needed = ceil_div(geo.body4, WG_SIZE);
    var first = 0u;
    if (MODE == 1u) {
      needed = ceil_div(scalars, WG_SIZE);
      first = ceil_div(geo.body4, WG_SIZE);
    } else if (MODE == 2u) {
      needed = ceil_div(geo.body4 + scalars, WG_SIZE);
    }
    // Threads past the tensor's workgroups would overwrite the next range.
    if (w >= needed) {
      return;
    }
    for (var l = 0u; l < WG_SIZE; l++) {
      let t = w * WG_SIZE + l;
      if (MODE == 0u) {
        kahan_add(&acc, &carry, sums_body(geo, t));
      } else if (MODE == 1u) {
        kahan_add(&acc, &carry, sums_scalar(geo, t));
      } else {
        kahan_add(&acc, &carry, sums_both(geo, t));
      }
    }
    slot = u.partial_base + first + w;
  }
  partials[slot] = acc;
}

// One thread per tensor, no barrier: on SwiftShader every workgroup that reaches a barrier costs
// milliseconds (a workgroup per tensor with a barrier made this dispatch 1.6 s for 500 tensors).
@compute @workgroup_size(WG_SIZE)
fn tensor_finalize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&sum_spans)) {
    return;
  }
  let span = sum_spans[i];
  // The tensor's partials in order, with Kahan's compensation.
  var acc = vec4<f32>(0.0);
  var carry = vec4<f32>(0.0);
  for (var k = 0u; k < span.count; k++) {
    kahan_add(&acc, &carry, partials[span.first + k]);
  }
  ratios_out[i] = tensor_ratio(acc);
}
