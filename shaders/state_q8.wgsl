// state_q8.wgsl: optimizer state stored as block-wise dynamic 8-bit codes (stateDtype 'q8';
// Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization", as bitsandbytes'
// blockwise optimizers store it), prepended before common.wgsl. Bit for bit as
// src/options/q8.ts, which explains the scheme. The entry point is `main_q8` below; common.wgsl's
// `main` is not used with this snippet, so its state accessors are stubs.
//
// Layout of one tensor's state binding (`state`, u32 words): NUM_STATES code arrays of
// state_stride elements each (a multiple of 256; four codes per u32, element 4q + j in byte j of
// word q), then NUM_STATES absmax arrays of state_stride / 256 f32 (as bits), one per block of
// 256 elements. Element e of the tensor is element e of each array (no head offset).
//
// One thread owns one u32 of codes: elements 4q .. 4q + 3. It dequantises its four values of
// each array, runs the algorithm's `update` on them in f32 registers, and the workgroup takes
// each block's new absmax with an atomicMax over the 64 threads of the block (a workgroup is
// one block, so blocks never span workgroups), then each thread requantises and writes its own word. One
// pass reads and writes every state byte once. The param update uses the unquantised new state,
// as bitsandbytes does.

@group(0) @binding(4) var<storage, read_write> state: array<u32>;

// The maps and midpoints (src/options/q8.ts, q8Table): signed map, unsigned map, signed
// midpoints, unsigned midpoints, 256 f32 each.
// Read-only storage: the binary search's loads diverge across threads, which a uniform
// buffer serves badly on some GPUs. main_q8's layout leaves out `tensors` and `owner`
// (bindings 6 and 7, which it never reads), so it stays within eight storage buffers.
// Words 0..1023: the maps and midpoints as f32 bits; then the guess tables, four u8 per word
// (src/options/q8.ts, q8Table).
@group(0) @binding(9) var<storage, read> q8_lut: array<u32, 1600>;
const Q8_GUESS_BUCKETS: u32 = 768u;
// Threads per workgroup of main_q8, a multiple of 64 (one block is 64 threads of four).
const Q8_WG: u32 = 64u;

const STATE_PAIRS: bool = false;
// Bit j is set when state array j is quantised with the signed map.
override Q8_SIGNED: u32 = 0u;
// Bit j is set when state array j (unsigned) is quantised by rounding up (src/options/q8.ts,
// Q8_ROUNDED_UP: Adadelta's square_avg).
override Q8_UP: u32 = 0u;

fn load_state4(i4: u32) -> vec4<f32> {
  return vec4<f32>(0.0);
}

fn store_state4(i4: u32, v: vec4<f32>) {
}

fn load_state1(i: u32) -> f32 {
  return 0.0;
}

fn store_state1(i: u32, v: f32) {
}

// Per state array and block of the workgroup: the largest |new value| as f32 bits.
var<workgroup> q8_max: array<atomic<u32>, 3u * (Q8_WG / 64u)>;

fn q8_is_signed(j: u32) -> bool {
  return ((Q8_SIGNED >> j) & 1u) == 1u;
}

fn q8_rounds_up(j: u32) -> bool {
  return ((Q8_UP >> j) & 1u) == 1u;
}

// A subnormal (or -0) as +0, by its bits: devices may flush subnormal arithmetic or not, so
// the quantiser never lets a result depend on it (src/options/q8.ts).
fn q8_flush(x: f32) -> f32 {
  return select(x, 0.0, (bitcast<u32>(x) & 0x7fffffffu) < 0x00800000u);
}

// The value of `code` in a block of absmax `a`.
fn q8_value(signed: bool, code: u32, a: f32) -> f32 {
  return q8_flush(bitcast<f32>(q8_lut[select(256u, 0u, signed) + code]) * a);
}

// Whether v >= mid[k] * absmax (to nearest), or v > map[k] * absmax (rounding up): the
// predicate whose count of true k is the code.
fn q8_above(v: f32, absmax: f32, up: bool, mids: u32, k: u32) -> bool {
  let t = bitcast<f32>(q8_lut[mids + k]) * absmax;
  return select(v >= t, v > t, up);
}

// The code of v: the number of midpoints k with v >= mid[k] * absmax, or with `up` (unsigned
// only) of map entries k < 255 with v > map[k] * absmax (src/options/q8.ts, q8Code; the
// predicate is true exactly for k below the count); 0 is the map's zero (code 127 signed, 0
// unsigned), and a positive value in an unsigned array gets at least code 1. A guess from a
// table indexed by |v| / absmax's exponent and top mantissa bits lands on or next to the count,
// and single steps reach it exactly, so the guess (and the division's rounding) decides only
// how many comparisons run, never the code.
fn q8_code(v_in: f32, absmax: f32, signed: bool, up: bool) -> u32 {
  let v = q8_flush(v_in);
  if (v == 0.0) {
    return select(0u, 127u, signed);
  }
  let vb = bitcast<u32>(v) & 0x7fffffffu;
  let ab = bitcast<u32>(absmax) & 0x7fffffffu;
  // NaN in v or absmax: every comparison is false (count 0; the zero-point rule still
  // applies to a positive v). +inf: every one is true.
  if (vb > 0x7f800000u || ab > 0x7f800000u) {
    return select(0u, 1u, !signed && v > 0.0);
  }
  if (bitcast<u32>(v) == 0x7f800000u) {
    return 255u;
  }
  // Rounding up compares with the unsigned map itself (words 256..511) instead of midpoints.
  let mids = select(select(768u, 256u, up), 512u, signed);
  let y = bitcast<u32>(abs(v) / absmax);
  let bucket = u32(clamp(i32(y >> 18u) - i32((127u - 23u) << 5u), 0, i32(Q8_GUESS_BUCKETS) - 1));
  var table = 0u;
  if (signed) {
    table = select(1u, 2u, v < 0.0);
  }
  let at = table * Q8_GUESS_BUCKETS + bucket;
  var c = (q8_lut[1024u + (at >> 2u)] >> (8u * (at & 3u))) & 0xffu;
  loop {
    if (c >= 255u || !q8_above(v, absmax, up, mids, c)) {
      break;
    }
    c = c + 1u;
  }
  loop {
    if (c == 0u || q8_above(v, absmax, up, mids, c - 1u)) {
      break;
    }
    c = c - 1u;
  }
  // The zero-point rule: a positive value is never stored as 0 in an unsigned array.
  if (!signed && c == 0u && v > 0.0) {
    return 1u;
  }
  return c;
}

// The largest |v[k]| (as f32 bits, sign cleared, subnormals flushed) over the lanes that hold
// elements (straight-line code: dynamic vector indexing is slow on some compilers).
fn q8_abs_bits(v: vec4<f32>, lanes: u32) -> u32 {
  let b = bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu);
  let m = select(b, vec4<u32>(0u), (b < vec4<u32>(0x00800000u)) |
                 (vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(lanes)));
  return max(max(m.x, m.y), max(m.z, m.w));
}

fn q8_load(j: u32, code_word: u32, absmax_word: u32) -> vec4<f32> {
  let w = state[code_word];
  let a = bitcast<f32>(state[absmax_word]);
  let signed = q8_is_signed(j);
  return vec4<f32>(q8_value(signed, w & 0xffu, a), q8_value(signed, (w >> 8u) & 0xffu, a),
                   q8_value(signed, (w >> 16u) & 0xffu, a), q8_value(signed, w >> 24u, a));
}

// Requantises array j's four new values with the block's new absmax (lanes past the tensor's
// end hold 0) and writes the word, and the block's absmax from its first thread.
fn q8_store(j: u32, v: vec4<f32>, lanes: u32, slot: u32, lid: u32, code_word: u32,
            absmax_word: u32) {
  let a = bitcast<f32>(atomicLoad(&q8_max[(Q8_WG / 64u) * j + slot]));
  let signed = q8_is_signed(j);
  let up = q8_rounds_up(j);
  let x = select(vec4<f32>(0.0), v, vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(lanes));
  state[code_word] = q8_code(x.x, a, signed, up) | (q8_code(x.y, a, signed, up) << 8u) |
                     (q8_code(x.z, a, signed, up) << 16u) | (q8_code(x.w, a, signed, up) << 24u);
  if ((lid & 63u) == 0u) {
    state[absmax_word] = bitcast<u32>(a);
  }
}

// Thread q's params and grads, elements 4q .. 4q + lanes - 1 (lanes > 0; the other lanes 0):
// one vec4 load each where the tensor has no head and q lies in its body, else one by one.
// main_q8 and tensor_sums_q8 (tensor_sums_q8.wgsl) load alike.
struct Q8Inputs {
  p: vec4<f32>,
  g: vec4<f32>,
}

fn q8_inputs(geo: Geometry, q: u32, lanes: u32) -> Q8Inputs {
  let e0 = 4u * q;
  var p = vec4<f32>(0.0);
  var g = vec4<f32>(0.0);
  if (geo.head == 0u && q < geo.body4) {
    p = param4[(geo.param_off + e0) >> 2u];
    if (GRAD_IN_PARAM) {
      g = param4[(geo.grad_off + e0) >> 2u];
    } else {
      g = grad4[(geo.grad_off + e0) >> 2u];
    }
  } else {
    for (var k = 0u; k < lanes; k++) {
      p[k] = param_at(geo.param_off + e0 + k, geo.param_split);
      g[k] = grad_at(geo.grad_off + e0 + k, geo.grad_split);
    }
  }
  return Q8Inputs(p, g);
}

@compute @workgroup_size(Q8_WG)
fn main_q8(@builtin(workgroup_id) wg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32,
           @builtin(num_workgroups) groups: vec3<u32>) {
  // A skipped step (GradScaler found inf or NaN) leaves params and state bitwise untouched.
  // control is read-only storage, so the branch is uniform and the barriers below stay legal.
  if (SCALER && control.found_inf != 0u) {
    return;
  }
  let geo = u.geo;
  let q = (wg.x + wg.y * groups.x) * Q8_WG + lid;
  let e0 = 4u * q;
  var lanes = 0u;
  if (e0 < geo.n) {
    lanes = min(4u, geo.n - e0);
  }
  let words = geo.state_stride >> 2u;
  let blocks = geo.state_stride >> 8u;
  let code0 = (geo.state_off >> 2u) + q;
  let absmax0 = (geo.state_off >> 2u) + NUM_STATES * words + (q >> 6u);
  let slot = lid >> 6u;
  let vec = geo.head == 0u && q < geo.body4;
  var p = vec4<f32>(0.0);
  var g = vec4<f32>(0.0);
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (lanes > 0u) {
    let inputs = q8_inputs(geo, q, lanes);
    p = inputs.p;
    g = inputs.g;
    if (NUM_STATES > 0u) { s.s0 = q8_load(0u, code0, absmax0); }
    if (NUM_STATES > 1u) { s.s1 = q8_load(1u, code0 + words, absmax0 + blocks); }
    if (NUM_STATES > 2u) { s.s2 = q8_load(2u, code0 + 2u * words, absmax0 + 2u * blocks); }
  }
  let r = update(p, prepare_grad(g), s);
  if (NUM_STATES > 0u) { atomicMax(&q8_max[slot], q8_abs_bits(r.s.s0, lanes)); }
  if (NUM_STATES > 1u) { atomicMax(&q8_max[(Q8_WG / 64u) + slot], q8_abs_bits(r.s.s1, lanes)); }
  if (NUM_STATES > 2u) { atomicMax(&q8_max[2u * (Q8_WG / 64u) + slot], q8_abs_bits(r.s.s2, lanes)); }
  workgroupBarrier();
  if (lanes == 0u) {
    return;
  }
  if (vec) {
    param4[(geo.param_off + e0) >> 2u] = r.p;
  } else {
    for (var k = 0u; k < lanes; k++) {
      store_param1(geo.param_off + e0 + k, geo.param_split, r.p[k]);
    }
  }
  if (NUM_STATES > 0u) { q8_store(0u, r.s.s0, lanes, slot, lid, code0, absmax0); }
  if (NUM_STATES > 1u) {
    q8_store(1u, r.s.s1, lanes, slot, lid, code0 + words, absmax0 + blocks);
  }
  if (NUM_STATES > 2u) {
    q8_store(2u, r.s.s2, lanes, slot, lid, code0 + 2u * words, absmax0 + 2u * blocks);
  }
}
