/**
 * The experiment in the browser: TF.js (webgpu backend) computes the loss and gradients, and
 * webgpu-optim's fused kernel steps the variables in place on TF.js's own GPU buffers
 * (`createTfjsOptimizer`). One tf.tidy per batch; the only readback is one `data()` of all
 * the per-epoch losses at the end.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { createTfjsOptimizer } from 'webgpu-optim/tfjs';
import { batchRanges, type Curve, type OptimizerConfig, type Problem } from './experiment.ts';

type Tf = typeof TfCore;

/** Trains a fresh model with `config` for `epochs` epochs; returns its per-epoch losses. */
export async function runTfjs(
  tf: Tf,
  p: Problem,
  config: OptimizerConfig,
  epochs: number,
): Promise<Curve> {
  const batches = batchRanges(p.y.length).map(([s, e]) => ({
    x: tf.tensor2d(p.x.slice(s * 3, e * 3), [e - s, 3]),
    y: tf.tensor2d(p.y.slice(s, e), [e - s, 1]),
  }));
  // tidy frees the initial tensors, so each variable owns its data alone.
  const w = tf.tidy(() => tf.variable(tf.tensor2d(p.weight, [3, 1]), true));
  const b = tf.tidy(() => tf.variable(tf.tensor1d([p.bias]), true));
  const optimizer = createTfjsOptimizer(config.algorithm, config.options);
  const batchLoss = (x: TfCore.Tensor2D, y: TfCore.Tensor2D) => () =>
    tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as TfCore.Scalar;
  const epochLosses: TfCore.Scalar[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      batches.forEach(({ x, y }, i) => {
        if (i < batches.length - 1) {
          tf.tidy(() => {
            optimizer.minimize(batchLoss(x, y), false, [w, b]);
          });
        } else {
          // The epoch's last batch: keep its loss (computed before the step) on the GPU.
          const loss = tf.tidy(
            () => optimizer.minimize(batchLoss(x, y), true, [w, b]) ?? tf.scalar(NaN),
          );
          epochLosses.push(loss);
        }
      });
    }
    const stacked = tf.stack(epochLosses);
    const losses = Array.from(await stacked.data());
    stacked.dispose();
    return { name: config.name, losses };
  } finally {
    tf.dispose(epochLosses);
    tf.dispose(batches.flatMap((t) => [t.x, t.y]));
    optimizer.dispose();
    w.dispose();
    b.dispose();
  }
}
