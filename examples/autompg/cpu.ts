/**
 * The experiment on the CPU: gradients in f32 (`Math.fround` after every operation, in the
 * order TF.js's ops apply them: matMul, add bias, subtract, square, mean) and the step by
 * `webgpu-optim/reference`. The GPU run must track it within f32 noise.
 */
import { ReferenceOptimizer } from 'webgpu-optim/reference';
import { batchRanges, type Curve, type OptimizerConfig, type Problem } from './experiment.ts';

const f = Math.fround;

/**
 * MSE of rows [start, end) at (w, b), and its gradient into `gw` (3) and `gb` (1):
 * L = mean((x·w + b − y)²), dL/dpred_i = (2·r_i)·(1/n).
 */
export function batchLossAndGradient(
  p: Problem,
  start: number,
  end: number,
  w: Float32Array,
  b: Float32Array,
  gw: Float32Array,
  gb: Float32Array,
): number {
  const n = end - start;
  const invN = f(1 / n);
  let sumSq = 0;
  gw.fill(0);
  gb.fill(0);
  for (let i = start; i < end; i++) {
    let dot = 0;
    for (let k = 0; k < 3; k++) dot = f(dot + f((p.x[i * 3 + k] as number) * (w[k] as number)));
    const r = f(f(dot + (b[0] as number)) - (p.y[i] as number));
    sumSq = f(sumSq + f(r * r));
    const g = f(f(2 * r) * invN);
    for (let k = 0; k < 3; k++) gw[k] = f((gw[k] as number) + f(g * (p.x[i * 3 + k] as number)));
    gb[0] = f((gb[0] as number) + g);
  }
  return f(sumSq * invN);
}

/** Trains a fresh model with `config` for `epochs` epochs; returns its per-epoch losses. */
export function runCpu(p: Problem, config: OptimizerConfig, epochs: number): Curve {
  const w = Float32Array.from(p.weight);
  const b = Float32Array.of(p.bias);
  const gw = new Float32Array(3);
  const gb = new Float32Array(1);
  const opt = new ReferenceOptimizer(config.algorithm, [w, b], config.options);
  const batches = batchRanges(p.y.length);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let last = NaN;
    for (const [start, end] of batches) {
      last = batchLossAndGradient(p, start, end, w, b, gw, gb);
      opt.step([gw, gb]);
    }
    losses.push(last);
  }
  return { name: config.name, losses };
}
