// The gradient of the playground's loss surfaces at every particle: one thread per particle,
// reading its (x, y) from `params` and writing (∂f/∂x, ∂f/∂y) to `grads`. The override SURFACE
// picks the surface; demo/surfaces.ts holds the same formulas (its f32 twin, operation for
// operation) and the meaning of each id:
//   0  elongated quadratic  x²/16 + y²
//   1  Rosenbrock           (1 − x)² + 100 (y − x²)²
//   2  Beale                (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
//   3  saddle               x²/2 + y⁴/4 − y²/2

override SURFACE: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> params: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> grads: array<vec2<f32>>;

fn gradient(p: vec2<f32>) -> vec2<f32> {
  let x = p.x;
  let y = p.y;
  switch SURFACE {
    case 1u: {
      let t = y - x * x;
      return vec2<f32>(-2.0 * (1.0 - x) - (400.0 * x) * t, 200.0 * t);
    }
    case 2u: {
      let y2 = y * y;
      let y3 = y2 * y;
      let a = (1.5 - x) + x * y;
      let b = (2.25 - x) + x * y2;
      let c = (2.625 - x) + x * y3;
      let gx = ((2.0 * a) * (y - 1.0) + (2.0 * b) * (y2 - 1.0)) + (2.0 * c) * (y3 - 1.0);
      let gy = ((2.0 * a) * x + (2.0 * b) * ((2.0 * x) * y)) + (2.0 * c) * ((3.0 * x) * y2);
      return vec2<f32>(gx, gy);
    }
    case 3u: {
      return vec2<f32>(x, (y * y) * y - y);
    }
    default: {
      return vec2<f32>(x * 0.125, 2.0 * y);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&params)) {
    return;
  }
  grads[i] = gradient(params[i]);
}
