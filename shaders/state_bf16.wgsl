// state_bf16.wgsl: optimizer state stored as bfloat16 (the top 16 bits of an f32), prepended
// before common.wgsl (see state_f32.wgsl for the accessors). The maths stays f32. One
// vec2<u32> holds 4 elements (element i is half i & 1 of word i >> 1).
// - Load: bitcast<f32>(h << 16), exact.
// - Store: round to nearest, ties to even, (u + 0x7fff + ((u >> 16) & 1)) >> 16, with NaN
//   kept a quiet NaN (the same bits as src/options/half.ts, bf16Bits).
// - Two elements share a u32: see state_f16.wgsl and STATE_PAIRS in common.wgsl.

@group(0) @binding(4) var<storage, read_write> state: array<vec2<u32>>;

const STATE_PAIRS: bool = true;

fn bf16_bits(x: f32) -> u32 {
  let u = bitcast<u32>(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    return (u >> 16u) | 0x40u;
  }
  return (u + 0x7fffu + ((u >> 16u) & 1u)) >> 16u;
}

fn bf16_value(h: u32) -> f32 {
  return bitcast<f32>(h << 16u);
}

fn load_state4(i4: u32) -> vec4<f32> {
  let w = state[i4];
  return vec4<f32>(bf16_value(w.x & 0xffffu), bf16_value(w.x >> 16u),
                   bf16_value(w.y & 0xffffu), bf16_value(w.y >> 16u));
}

fn store_state4(i4: u32, v: vec4<f32>) {
  state[i4] = vec2<u32>(bf16_bits(v.x) | (bf16_bits(v.y) << 16u),
                        bf16_bits(v.z) | (bf16_bits(v.w) << 16u));
}

fn load_state1(i: u32) -> f32 {
  return bf16_value((state[i >> 2u][(i >> 1u) & 1u] >> (16u * (i & 1u))) & 0xffffu);
}

fn store_state1(i: u32, v: f32) {
  let j = (i >> 1u) & 1u;
  let shift = 16u * (i & 1u);
  let w = state[i >> 2u][j];
  state[i >> 2u][j] = (w & ~(0xffffu << shift)) | (bf16_bits(v) << shift);
}
