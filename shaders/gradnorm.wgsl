// gradnorm.wgsl: the global L2 norm of all of an optimizer's gradients, for clipGradNorm.
// Standalone (no common.wgsl). Two passes, no readback:
//   1. partial_sums, one dispatch per tensor: workgroup w sums the squares of its
//      WG_SIZE · ITEMS elements (each thread ITEMS of them, strided by WG_SIZE), reduces them
//      in workgroup memory and writes partials[u.out + w].
//   2. finalize, one workgroup: sums every partial the same way, then writes
//      control.norm = sqrt(sum) and control.coef = min(1, max_norm / (norm + 1e-6)), the
//      factor torch.nn.utils.clip_grad_norm_ multiplies every gradient by. The update kernel
//      reads control.coef as it loads each gradient.
// Accumulation is f32 in a tree (per-thread runs, then pairwise), so the relative error grows
// like log2(n) ULPs rather than n.

override WG_SIZE: u32 = 256u;
override ITEMS: u32 = 16u;

struct Control {
  norm: f32,
  coef: f32,
  clip_value: f32,
  max_norm: f32,
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

@compute @workgroup_size(WG_SIZE)
fn partial_sums(@builtin(workgroup_id) wg: vec3<u32>,
                @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let w = wg.x + wg.y * groups.x;
  let start = w * WG_SIZE * ITEMS;
  var acc = 0.0;
  for (var j = 0u; j < ITEMS; j++) {
    let i = start + j * WG_SIZE + lid;
    if (i < u.n) {
      let g = values[u.offset + i];
      acc = acc + g * g;
    }
  }
  let total = reduce(lid, acc);
  if (lid == 0u && start < u.n) {
    partials[u.out + w] = total;
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
