// state_f32.wgsl: optimizer state stored as f32, prepended before common.wgsl. Each state
// snippet binds `state` at @binding(4) and defines the accessors common.wgsl uses: element
// indices `i`, vec4 indices `i4` (= i >> 2, the host aligns state with the param's vec4s).
// STATE_PAIRS is true when two elements share one u32 (16-bit state).

@group(0) @binding(4) var<storage, read_write> state: array<vec4<f32>>;

const STATE_PAIRS: bool = false;

fn load_state4(i4: u32) -> vec4<f32> {
  return state[i4];
}

fn store_state4(i4: u32, v: vec4<f32>) {
  state[i4] = v;
}

fn load_state1(i: u32) -> f32 {
  return state[i >> 2u][i & 3u];
}

fn store_state1(i: u32, v: f32) {
  state[i >> 2u][i & 3u] = v;
}
