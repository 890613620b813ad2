// state_f16.wgsl: optimizer state stored as IEEE binary16, prepended before common.wgsl (see
// state_f32.wgsl for the accessors). The maths stays f32; only storage is 16-bit, so no
// shader-f16 feature is needed. One vec2<u32> holds 4 elements (element i is half i & 1 of
// word i >> 1), so the vec4 index is i >> 2 as for f32.
// - Load: unpack2x16float, which WGSL defines as exact.
// - Store: round to nearest, ties to even, with integer operations (f16_bits), not
//   pack2x16float: WGSL leaves pack2x16float's rounding implementation-defined, and the CPU
//   reference (src/options/half.ts, f16Bits) must produce the same bits on every GPU.
//   Subnormals are kept, |x| >= 65520 becomes ±inf, NaN stays a quiet NaN.
// - Two elements share a u32, so store_state1 reads, merges and writes the word; common.wgsl's
//   scalar path gives both elements of a pair to one thread (STATE_PAIRS) so no two threads
//   ever write the same word.

@group(0) @binding(4) var<storage, read_write> state: array<vec2<u32>>;

const STATE_PAIRS: bool = true;

// Branch-free (select only): SwiftShader runs lanes in SIMD, where divergent branches cost
// both sides. Each candidate is computed for every input and the right one selected.
fn f16_bits(x: f32) -> u32 {
  let u = bitcast<u32>(x);
  let sign = (u >> 16u) & 0x8000u;
  let a = u & 0x7fffffffu;
  // |x| >= 2^-14: rebias the exponent, round the 13 dropped bits to nearest even.
  let normal = (a + 0xfffu + ((a >> 13u) & 1u) - 0x38000000u) >> 13u;
  // |x| < 2^-14: the value in units of 2^-24 (m >> shift), rounded to nearest even; shifts
  // of 25 and more (|x| < 2^-25) give 0.
  let m = (a & 0x7fffffu) | 0x800000u;
  let shift = min(126u - min(a >> 23u, 126u), 31u);
  let h = m >> shift;
  let rem = m & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  let sub = h + select(0u, 1u, rem > half || (rem == half && (h & 1u) == 1u));
  var bits = select(sub, normal, a >= 0x38800000u);
  bits = select(bits, 0x7c00u, a >= 0x477ff000u);
  bits = select(bits, 0x7e00u | ((a >> 13u) & 0x3ffu), a > 0x7f800000u);
  return sign | bits;
}

fn load_state4(i4: u32) -> vec4<f32> {
  let w = state[i4];
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}

fn store_state4(i4: u32, v: vec4<f32>) {
  state[i4] = vec2<u32>(f16_bits(v.x) | (f16_bits(v.y) << 16u),
                        f16_bits(v.z) | (f16_bits(v.w) << 16u));
}

fn load_state1(i: u32) -> f32 {
  return unpack2x16float(state[i >> 2u][(i >> 1u) & 1u])[i & 1u];
}

fn store_state1(i: u32, v: f32) {
  let j = (i >> 1u) & 1u;
  let shift = 16u * (i & 1u);
  let w = state[i >> 2u][j];
  state[i >> 2u][j] = (w & ~(0xffffu << shift)) | (f16_bits(v) << shift);
}
