/**
 * The example's problem: least-squares linear regression, y ≈ X·w + b, on a fixed synthetic
 * data set (the seed notes' "loss versus epoch on a small regression"). The gradient is
 * computed on the GPU by a small WGSL kernel and on the CPU by `cpuGradient`, which performs the
 * same f32 operations in the same order.
 */

export const FEATURES = 8;
export const SAMPLES = 256;

export interface Dataset {
  x: Float32Array<ArrayBuffer>; // SAMPLES × FEATURES, row-major
  y: Float32Array<ArrayBuffer>; // SAMPLES
}

/** Deterministic data: true weights 1..8 scaled, bias 0.5, small noise. */
export function makeDataset(): Dataset {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const x = new Float32Array(SAMPLES * FEATURES);
  const y = new Float32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    let t = 0.5;
    for (let k = 0; k < FEATURES; k++) {
      const v = 2 * rand();
      x[i * FEATURES + k] = v;
      t += ((k + 1) / FEATURES) * v;
    }
    y[i] = t + 0.01 * rand();
  }
  return { x, y };
}

/** WGSL: thread j < FEATURES writes dL/dw_j; thread FEATURES writes dL/db. L = mean((Xw+b-y)^2). */
export const GRADIENT_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>; // w[0..F), b
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
const F = ${FEATURES}u;
const N = ${SAMPLES}u;
@compute @workgroup_size(${FEATURES + 1})
fn main(@builtin(local_invocation_index) j: u32) {
  var acc = 0.0;
  for (var i = 0u; i < N; i++) {
    var pred = params[F];
    for (var k = 0u; k < F; k++) {
      pred = pred + x[i * F + k] * params[k];
    }
    let r = pred - y[i];
    if (j < F) {
      acc = acc + r * x[i * F + j];
    } else {
      acc = acc + r;
    }
  }
  grads[j] = acc * (2.0 / f32(N));
}
`;

const f = Math.fround;

/** The same gradient on the CPU, in f32, in the kernel's order. */
export function cpuGradient(d: Dataset, params: Float32Array, out: Float32Array): void {
  for (let j = 0; j <= FEATURES; j++) {
    let acc = 0;
    for (let i = 0; i < SAMPLES; i++) {
      let pred = params[FEATURES] as number;
      for (let k = 0; k < FEATURES; k++)
        pred = f(pred + f((d.x[i * FEATURES + k] as number) * (params[k] as number)));
      const r = f(pred - (d.y[i] as number));
      acc = f(acc + (j < FEATURES ? f(r * (d.x[i * FEATURES + j] as number)) : r));
    }
    out[j] = f(acc * f(2 / SAMPLES));
  }
}

/** Mean squared error, in f64 (reporting only). */
export function loss(d: Dataset, params: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < SAMPLES; i++) {
    let pred = params[FEATURES] as number;
    for (let k = 0; k < FEATURES; k++)
      pred += (d.x[i * FEATURES + k] as number) * (params[k] as number);
    sum += (pred - (d.y[i] as number)) ** 2;
  }
  return sum / SAMPLES;
}
