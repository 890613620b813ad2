// tensor_sums_q8.wgsl: the per-tensor sums pass (tensor_sums.wgsl) of a tensor whose state is
// stored in 8 bits (state_q8.wgsl), for an algorithm with tensor sums (LAMB). Appended after
// state_q8.wgsl, common.wgsl, the algorithm's file and tensor_sums.wgsl, only in the 'q8'
// module of such an algorithm (src/kernels/stateCode.ts, withStateDtype).
//
// Entry point `tensor_sums_q8`, one dispatch per 8-bit tensor (as main_q8), one thread per
// 256-element block b of the tensor, no barrier. Thread b walks the block's 64 words of codes in
// order; for word q it loads and dequantises exactly what main_q8's thread q loads (params and
// grads through the vec4 or the scalar bindings on the same test, the four codes of each state
// array with the block's absmax), calls the algorithm's tensor_terms on them after prepare_grad
// (unscale, clipping, maximize), zeroes the terms of lanes past the tensor's end, adds each
// term's four lanes as lanes() does ((x + y) + (z + w)), and adds that vec4 to a
// Kahan-compensated sum (kahan_add) — the words past the end add zeros too. It writes one
// partial per block: partials_q8[u.partial_base + b]. tensor_finalize then adds the tensor's
// partials (its span: partial_base, blocks) in order with Kahan's compensation, like any
// tensor's, and main_q8's `update` reads the ratio at u.ratio_base (tensor_row stays 0 there).
// The reference mirrors this order exactly (src/reference/tensorSums.ts, q8TensorSums), so an
// 8-bit tensor's trust ratio, and its params, are bitwise the reference's on a device that rounds
// f32 as IEEE does.
// `partials` is the same buffer as tensor_sums.wgsl's, bound at 10 here: binding 9 is the q8
// table in this module. The layout (src/kernels/q8.ts): common.wgsl's bindings but 6 and 7, the
// table and the partials: eight storage buffers, WebGPU's default maximum per stage.

@group(0) @binding(10) var<storage, read_write> partials_q8: array<vec4<f32>>;

// `v` with the lanes at or past `count` set to 0.
fn q8_mask(v: vec4<f32>, count: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), v, vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(count));
}

// The four lane-summed terms of main_q8's thread q (zero past the tensor's end).
fn q8_word_terms(geo: Geometry, q: u32) -> vec4<f32> {
  let e0 = 4u * q;
  if (e0 >= geo.n) {
    return vec4<f32>(0.0);
  }
  let count = min(4u, geo.n - e0);
  let words = geo.state_stride >> 2u;
  let blocks = geo.state_stride >> 8u;
  let code0 = (geo.state_off >> 2u) + q;
  let absmax0 = (geo.state_off >> 2u) + NUM_STATES * words + (q >> 6u);
  let inputs = q8_inputs(geo, q, count);
  let p = inputs.p;
  let g = inputs.g;
  var s = States(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  if (NUM_STATES > 0u) { s.s0 = q8_load(0u, code0, absmax0); }
  if (NUM_STATES > 1u) { s.s1 = q8_load(1u, code0 + words, absmax0 + blocks); }
  if (NUM_STATES > 2u) { s.s2 = q8_load(2u, code0 + 2u * words, absmax0 + 2u * blocks); }
  let r = tensor_terms(p, prepare_grad(g), s);
  return vec4<f32>(lanes(q8_mask(r.a, count)), lanes(q8_mask(r.b, count)),
                   lanes(q8_mask(r.c, count)), lanes(q8_mask(r.d, count)));
}

@compute @workgroup_size(Q8_WG)
fn tensor_sums_q8(@builtin(global_invocation_id) gid: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>) {
  // A skipped step: main_q8 returns too, so the ratio is never read.
  if (SCALER && control.found_inf != 0u) {
    return;
  }
  let geo = u.geo;
  // A grid past the per-dimension limit folds into y.
  let b = gid.x + gid.y * groups.x * Q8_WG;
  if (b >= (geo.state_stride >> 8u)) {
    return;
  }
  var acc = vec4<f32>(0.0);
  var carry = vec4<f32>(0.0);
  for (var l = 0u; l < 64u; l++) {
    kahan_add(&acc, &carry, q8_word_terms(geo, 64u * b + l));
  }
  partials_q8[u.partial_base + b] = acc;
}
