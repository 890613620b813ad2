// common.wgsl: prepended to every algorithm's shader. It holds the bindings, the dispatch
// geometry and the entry point; each algorithm file supplies its uniform `u` (whose first
// member is `geo: Geometry`) and a pure function `update(p, g, s) -> Updated`.
//
// Memory layout (src/kernels/geometry.ts computes every field of `Geometry`):
// - A user buffer (param or grad) is bound as `array<vec4<f32>>` over [base, split) and, only
//   when the tensor ends in a partial 16-byte slot at the very end of its buffer, as
//   `array<f32>` over [split, end). WebGPU forbids overlapping writable bindings of one
//   buffer in a dispatch, so the two ranges never overlap. Scalars below `split` are reached
//   as vec4 components.
// - When a tensor's grad lies in the same buffer as its param, the buffer is bound once and
//   GRAD_IN_PARAM makes the kernel read the grad from the param bindings.
// - Optimizer state lives in one buffer we own (`state`), NUM_STATES arrays at
//   `state_off + j * state_stride`. The host places each tensor's state so that it is
//   vec4-aligned exactly where the param is, so the body uses vec4 for every array. The
//   binding and its accessors (load_state4, store_state4, load_state1, store_state1) come
//   from a state snippet prepended before this file: state_f32.wgsl, state_f16.wgsl or
//   state_bf16.wgsl (stateDtype). Every 4-element group of `state` holds one array's elements
//   or padding, and the body only touches whole groups; with 16-bit state (STATE_PAIRS) the
//   scalar path gives both elements of a u32 to one thread (tail_pair).
// - The vec4 body (one vec4 per thread, straight-line code) and the scalar head (the
//   elements before the first 16-byte boundary) and tail (one element per thread, the same
//   `update` run on a splat, keeping `.x`) are separate code paths chosen by MODE. A large
//   tensor with scalars takes two dispatches (MODE 0 and MODE 1): keeping the scalar path out
//   of the body pipeline matters, as branchy per-element addressing halved the body's speed
//   on SwiftShader. A small one takes one dispatch with both paths (MODE 2). Most tensors
//   (16-byte aligned, length a multiple of 4) need only the body.
// - Threads are numbered across a 1-D or 2-D grid (2-D when one dimension would exceed
//   maxComputeWorkgroupsPerDimension).

override WG_SIZE: u32 = 256u;
override GRAD_IN_PARAM: bool = false;
// 0: the vec4 body only; 1: the scalar head and tail only; 2: both in one dispatch (threads
// [0, body4) do the body, the rest the scalars), for small tensors where a second dispatch
// costs more than the branch.
override MODE: u32 = 0u;
override NUM_STATES: u32 = 0u;
// One dispatch for a whole param group: each workgroup looks up its tensor in `owner`, reads
// that tensor's geometry from `tensors` and runs its body or scalars.
override MULTI: bool = false;
// Gradient clipping, applied as each gradient is loaded (see gradnorm.wgsl): multiply by
// control.coef (clip_grad_norm_), then clamp to ±control.clip_value (clip_grad_value_).
override CLIP_NORM: bool = false;
// PyTorch's maximize: the gradient is negated (after clipping) before the update sees it.
override MAXIMIZE: bool = false;
override CLIP_VALUE: bool = false;
// A GradScaler is attached (see gradscaler.wgsl): every gradient is first multiplied by
// control.inv_scale, and when this step's check pass found a non-finite unscaled gradient
// (control.found_inf) the whole dispatch returns before touching anything.
override SCALER: bool = false;
// MULTI: `owner` holds the row in its low 16 bits, in bits 16–30 the position in the group of
// the tensor where the workgroup's first element lies (row_seed), and in bit 31 whether all of
// the workgroup's elements lie in that tensor (row_single), for updates that look up a
// per-tensor value inside a flat run (LAMB: at most 16384 tensors, so both fit).
override SEEDED_ROWS: bool = false;

struct Geometry {
  n: u32,            // elements in the tensor
  head: u32,         // scalar elements before the vec4 body
  body4: u32,        // vec4s in the body (0 when param, grad and state are not co-aligned)
  param_off: u32,    // element offset of the tensor inside the param bindings
  grad_off: u32,     // element offset of the gradient inside the grad bindings
  state_off: u32,    // element offset of the first state array inside `state`
  state_stride: u32, // elements between consecutive state arrays (a multiple of 4)
  param_split: u32,  // first element (from the binding's base) served by param1
  grad_split: u32,   // first element (from the binding's base) served by grad1
  // Padding to 48 bytes: WGSL's uniform layout rules (without the
  // uniform_buffer_standard_layout extension) put the member after a struct at a 16-byte
  // multiple past its size.
  reserved0: u32,   // MULTI: the tensor's first workgroup
  reserved1: u32,   // MULTI: how many of its workgroups run the body
  reserved2: u32,   // MULTI: vec4s each body thread updates
}

@group(0) @binding(0) var<storage, read_write> param4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> param1: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> grad1: array<f32>;
// @binding(4) is `state`, declared by the state snippet (state_f32.wgsl etc.).
// @binding(5) is the algorithm's uniform `u`, declared in its own file.
@group(0) @binding(6) var<storage, read> tensors: array<Geometry>;
// MULTI: the tensor each workgroup works on.
@group(0) @binding(7) var<storage, read> owner: array<u32>;
// The row of `tensors` this invocation works on: owner[w] in the MULTI branch of `main`, 0 in a
// one-tensor dispatch. For updates that read a per-tensor value (LAMB's trust ratio, at the
// tensor's uniform index + tensor_row); the others never read it.
var<private> tensor_row: u32 = 0u;
// The param element (from the param bindings' base) of the element or vec4 being updated, set
// by body, tail and tail_pair before they call `update`. For updates that look up a per-tensor
// value inside a flat run, where a row spans several tensors (LAMB); the others never read it.
var<private> elem_index: u32 = 0u;
// SEEDED_ROWS: where the tensor lookup of this workgroup starts, and whether it has one tensor.
var<private> row_seed: u32 = 0u;
var<private> row_single: bool = false;

// The control block: loss-scaler state (the scale first, so a loss kernel can bind the buffer
// at offset 0) and gradient-clipping scalars, written on the GPU by gradnorm.wgsl and
// gradscaler.wgsl. The same layout as their Control (src/kernels/control.ts packs it).
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
@group(0) @binding(8) var<storage, read> control: Control;

// L2 weight decay, g + wd·p, skipped when wd is 0 as PyTorch does.
fn l2(g: vec4<f32>, p: vec4<f32>, wd: f32) -> vec4<f32> {
  if (wd != 0.0) {
    return g + wd * p;
  }
  return g;
}

// The gradient as the update sees it: unscaled (SCALER), clipped, then negated when MAXIMIZE,
// in PyTorch's order (scaler.unscale_, clip_grad_norm_, clip_grad_value_, step).
fn prepare_grad(g: vec4<f32>) -> vec4<f32> {
  var out = g;
  if (SCALER) {
    out = out * control.inv_scale;
  }
  if (CLIP_NORM) {
    out = out * control.coef;
  }
  if (CLIP_VALUE) {
    out = clamp(out, vec4<f32>(-control.clip_value), vec4<f32>(control.clip_value));
  }
  if (MAXIMIZE) {
    out = -out;
  }
  return out;
}

// Up to three state arrays, in the algorithm's order; unused ones stay zero.
struct States {
  s0: vec4<f32>,
  s1: vec4<f32>,
  s2: vec4<f32>,
}

struct Updated {
  p: vec4<f32>,
  s: States,
}

// torch.lerp's formula (aten/src/ATen/native/Lerp.h): the branch on |weight| < 0.5 keeps
// the result exact at both ends. PyTorch's Adam and RMSprop update their running averages
// with lerp_, so we do too.
fn torch_lerp(start: vec4<f32>, end: vec4<f32>, weight: f32) -> vec4<f32> {
  if (abs(weight) < 0.5) {
    return start + weight * (end - start);
  }
  return end - (end - start) * (1.0 - weight);
}

fn param_at(x: u32, split: u32) -> f32 {
  if (x < split) {
    return param4[x >> 2u][x & 3u];
  }
  return param1[x - split];
}

fn grad_at(x: u32, split: u32) -> f32 {
  if (GRAD_IN_PARAM) {
    return param_at(x, split);
  }
  if (x < split) {
    return grad4[x >> 2u][x & 3u];
  }
  return grad1[x - split];
}

// The vec4 body: thread t updates elements head + 4t .. head + 4t + 3.
fn body(geo: Geometry, t: u32) {
  if (t >= geo.body4) {
    return;
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
  elem_index = geo.param_off + e;
  let r = update(param4[pi], prepare_grad(g), s);
  param4[pi] = r.p;
  if (NUM_STATES > 0u) { store_state4(si, r.s.s0); }
  if (NUM_STATES > 1u) { store_state4(si + stride, r.s.s1); }
  if (NUM_STATES > 2u) { store_state4(si + 2u * stride, r.s.s2); }
}

// The scalar head and tail: thread k updates one element.
fn tail(geo: Geometry, k: u32) {
  if (k >= geo.n - 4u * geo.body4) {
    return;
  }
  let e = select(k + 4u * geo.body4, k, k < geo.head);
  if (STATE_PAIRS && NUM_STATES > 0u) {
    tail_pair(geo, e);
    return;
  }
  let px = geo.param_off + e;
  let si = geo.state_off + e;
  let stride = geo.state_stride;
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (NUM_STATES > 0u) { s.s0 = vec4<f32>(load_state1(si)); }
  if (NUM_STATES > 1u) { s.s1 = vec4<f32>(load_state1(si + stride)); }
  if (NUM_STATES > 2u) { s.s2 = vec4<f32>(load_state1(si + 2u * stride)); }
  elem_index = px;
  let r = update(vec4<f32>(param_at(px, geo.param_split)),
                 prepare_grad(vec4<f32>(grad_at(geo.grad_off + e, geo.grad_split))), s);
  if (px < geo.param_split) {
    param4[px >> 2u][px & 3u] = r.p.x;
  } else {
    param1[px - geo.param_split] = r.p.x;
  }
  if (NUM_STATES > 0u) { store_state1(si, r.s.s0.x); }
  if (NUM_STATES > 1u) { store_state1(si + stride, r.s.s1.x); }
  if (NUM_STATES > 2u) { store_state1(si + 2u * stride, r.s.s2.x); }
}

fn store_param1(px: u32, split: u32, v: f32) {
  if (px < split) {
    param4[px >> 2u][px & 3u] = v;
  } else {
    param1[px - split] = v;
  }
}

// The scalar path with 16-bit state: state elements 2m and 2m + 1 share a u32, so one thread
// updates both. Element e's partner is the other element of its state pair. It lies in the
// same 4-group of state, which the body never touches, so the partner is either a scalar
// element of this tensor or padding. The thread of the pair's even element updates both
// (lanes x and y of one `update`); the odd element's thread returns unless its partner is
// padding (e = 0). A padding half is written back unchanged by store_state1.
fn tail_pair(geo: Geometry, e: u32) {
  let si = geo.state_off + e;
  let odd = (si & 1u) == 1u;
  if (odd && e > 0u) {
    return;
  }
  let both = !odd && e + 1u < geo.n;
  let e1 = select(e, e + 1u, both);
  let sj = si + (e1 - e);
  let stride = geo.state_stride;
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (NUM_STATES > 0u) { s.s0 = vec4<f32>(load_state1(si), load_state1(sj), 0.0, 0.0); }
  if (NUM_STATES > 1u) {
    s.s1 = vec4<f32>(load_state1(si + stride), load_state1(sj + stride), 0.0, 0.0);
  }
  if (NUM_STATES > 2u) {
    s.s2 = vec4<f32>(load_state1(si + 2u * stride), load_state1(sj + 2u * stride), 0.0, 0.0);
  }
  let px = geo.param_off + e;
  let py = geo.param_off + e1;
  let p = vec4<f32>(param_at(px, geo.param_split), param_at(py, geo.param_split), 0.0, 0.0);
  let g = vec4<f32>(grad_at(geo.grad_off + e, geo.grad_split),
                    grad_at(geo.grad_off + e1, geo.grad_split), 0.0, 0.0);
  elem_index = px;
  let r = update(p, prepare_grad(g), s);
  store_param1(px, geo.param_split, r.p.x);
  if (NUM_STATES > 0u) { store_state1(si, r.s.s0.x); }
  if (NUM_STATES > 1u) { store_state1(si + stride, r.s.s1.x); }
  if (NUM_STATES > 2u) { store_state1(si + 2u * stride, r.s.s2.x); }
  if (both) {
    store_param1(py, geo.param_split, r.p.y);
    if (NUM_STATES > 0u) { store_state1(sj, r.s.s0.y); }
    if (NUM_STATES > 1u) { store_state1(sj + stride, r.s.s1.y); }
    if (NUM_STATES > 2u) { store_state1(sj + 2u * stride, r.s.s2.y); }
  }
}

// Runs thread `t` of a tensor whose body and scalars share one dispatch.
fn body_then_tail(geo: Geometry, t: u32) {
  if (t < geo.body4) {
    body(geo, t);
  } else {
    tail(geo, t - geo.body4);
  }
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>,
        @builtin(workgroup_id) wg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32,
        @builtin(num_workgroups) groups: vec3<u32>) {
  // A skipped step (GradScaler found inf or NaN) leaves params and state bitwise untouched.
  if (SCALER && control.found_inf != 0u) {
    return;
  }
  if (MULTI) {
    let w = wg.x + wg.y * groups.x;
    if (w >= arrayLength(&owner)) {
      return;
    }
    let o = owner[w];
    if (SEEDED_ROWS) {
      tensor_row = o & 0xffffu;
      row_seed = (o >> 16u) & 0x7fffu;
      row_single = (o >> 31u) != 0u;
    } else {
      tensor_row = o;
    }
    let geo = tensors[tensor_row];
    // The tensor's body workgroups come first (reserved1 of them), then its scalar ones, so
    // every workgroup runs one code path. MODE 0: no tensor of the group has scalars.
    let k = w - geo.reserved0;
    // The first reserved1 workgroups of a tensor run only its body, each thread updating
    // reserved2 vec4s (the lookup above is paid once per reserved2 updates). The rest run its
    // scalars, or, for a small tensor (reserved1 = 0), its body and scalars together.
    if (k < geo.reserved1) {
      let items = geo.reserved2;
      for (var j = 0u; j < items; j++) {
        body(geo, (k * items + j) * WG_SIZE + lid);
      }
    } else if (MODE != 0u) {
      let skip = select(0u, geo.body4, geo.reserved1 > 0u);
      body_then_tail(geo, skip + (k - geo.reserved1) * WG_SIZE + lid);
    }
    return;
  }
  let t = id.x + id.y * groups.x * WG_SIZE;
  if (MODE == 0u) {
    body(u.geo, t);
  } else if (MODE == 1u) {
    tail(u.geo, t);
  } else {
    body_then_tail(u.geo, t);
  }
}
