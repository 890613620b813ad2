// common.wgsl: prepended to every algorithm's shader.
//
// Memory layout (src/kernels/geometry.ts computes every field of `Geometry`):
// - A user buffer (param or grad) is bound as `array<vec4<f32>>` over [base, split) and, only
//   when the tensor ends in a partial 16-byte slot at the very end of its buffer, as
//   `array<f32>` over [split, end). WebGPU forbids overlapping writable bindings of one
//   buffer in a dispatch, so the two ranges never overlap. Scalars below `split` are reached
//   as vec4 components.
// - When a tensor's grad lies in the same buffer as its param, the buffer is bound once and
//   GRAD_IN_PARAM makes the kernel read the grad from the param bindings.
// - Optimizer state lives in one buffer we own (`state`), one array per state name at
//   `state_off + j * state_stride`. The host places each tensor's state so that it is
//   vec4-aligned exactly where the param is, so the body uses vec4 for every array.
// - Threads [0, body4) each update one vec4; threads [body4, n - 3 * body4) each update one
//   scalar: the head (elements before the first 16-byte boundary) or the tail. The scalar
//   path runs the same vec4 maths on a splat and keeps `.x`, so both share one formula.
// - When one grid dimension would exceed maxComputeWorkgroupsPerDimension the host uses a
//   2-D grid; `grid_x` is the number of workgroups along x.

override WG_SIZE: u32 = 256u;
override GRAD_IN_PARAM: bool = false;

struct Geometry {
  n: u32,            // elements in the tensor
  head: u32,         // scalar elements before the vec4 body
  body4: u32,        // vec4s in the body (0 when param and grad are not equally aligned)
  grid_x: u32,       // workgroups along x
  param_off: u32,    // element offset of the tensor inside the param bindings
  grad_off: u32,     // element offset of the gradient inside the grad bindings
  state_off: u32,    // element offset of the first state array inside `state`
  state_stride: u32, // elements between consecutive state arrays (a multiple of 4)
  param_split: u32,  // first element (from the binding's base) served by param1
  grad_split: u32,   // first element (from the binding's base) served by grad1
}

@group(0) @binding(0) var<storage, read_write> param4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> param1: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> grad1: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<vec4<f32>>;
// @binding(5) is the algorithm's uniform, declared in its own file.

// Where one thread's element(s) live. `vec` threads address vec4 slots; scalar threads
// address single elements.
struct Lane {
  vec: bool,
  p: u32,
  g: u32,
  s: u32,
  stride: u32,
  p_split: u32,
  g_split: u32,
}

// Maps a thread to its lane. Returns false for threads past the end of the tensor.
fn make_lane(geo: Geometry, wg: vec3<u32>, lid: u32, lane: ptr<function, Lane>) -> bool {
  let t = (wg.y * geo.grid_x + wg.x) * WG_SIZE + lid;
  if (t < geo.body4) {
    let e = geo.head + 4u * t;
    *lane = Lane(true, (geo.param_off + e) >> 2u, (geo.grad_off + e) >> 2u,
                 (geo.state_off + e) >> 2u, geo.state_stride >> 2u, geo.param_split,
                 geo.grad_split);
    return true;
  }
  let k = t - geo.body4;
  let scalars = geo.n - 4u * geo.body4;
  if (k >= scalars) {
    return false;
  }
  let e = select(k + 4u * geo.body4, k, k < geo.head);
  *lane = Lane(false, geo.param_off + e, geo.grad_off + e, geo.state_off + e, geo.state_stride,
               geo.param_split, geo.grad_split);
  return true;
}

fn param_scalar(x: u32, split: u32) -> f32 {
  if (x < split) {
    return param4[x >> 2u][x & 3u];
  }
  return param1[x - split];
}

fn grad_scalar(x: u32, split: u32) -> f32 {
  if (x < split) {
    return grad4[x >> 2u][x & 3u];
  }
  return grad1[x - split];
}

fn load_param(l: Lane) -> vec4<f32> {
  if (l.vec) {
    return param4[l.p];
  }
  return vec4<f32>(param_scalar(l.p, l.p_split));
}

fn store_param(l: Lane, v: vec4<f32>) {
  if (l.vec) {
    param4[l.p] = v;
  } else if (l.p < l.p_split) {
    param4[l.p >> 2u][l.p & 3u] = v.x;
  } else {
    param1[l.p - l.p_split] = v.x;
  }
}

fn load_grad(l: Lane) -> vec4<f32> {
  if (GRAD_IN_PARAM) {
    if (l.vec) {
      return param4[l.g];
    }
    return vec4<f32>(param_scalar(l.g, l.g_split));
  }
  if (l.vec) {
    return grad4[l.g];
  }
  return vec4<f32>(grad_scalar(l.g, l.g_split));
}

// State array `j` of this lane.
fn load_state(l: Lane, j: u32) -> vec4<f32> {
  let i = l.s + j * l.stride;
  if (l.vec) {
    return state[i];
  }
  return vec4<f32>(state[i >> 2u][i & 3u]);
}

fn store_state(l: Lane, j: u32, v: vec4<f32>) {
  let i = l.s + j * l.stride;
  if (l.vec) {
    state[i] = v;
  } else {
    state[i >> 2u][i & 3u] = v.x;
  }
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
