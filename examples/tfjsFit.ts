import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createTfjsOptimizer } from 'webgpu-optim/tfjs';

/** Fits y = 2x - 1 with model.fit on TF.js's WebGPU backend; returns the loss of each epoch. */
export async function tfjsFit(): Promise<number[]> {
  await tf.setBackend('webgpu'); // the optimizer needs the WebGPU backend
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [1] }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  const optimizer = createTfjsOptimizer('adam', { lr: 0.05 });
  model.compile({ optimizer, loss: 'meanSquaredError' });

  const xs = tf.tidy(() => tf.reshape(tf.linspace(-1, 1, 64), [64, 1]));
  const ys = tf.tidy(() => tf.sub(tf.mul(xs, 2), 1));
  const history = await model.fit(xs, ys, { epochs: 10, batchSize: 16 });

  const state = await optimizer.getWeights(); // iter, then e.g. "<kernel>/exp_avg" per weight
  tf.dispose([xs, ys, ...state.map((w) => w.tensor)]);
  model.dispose();
  optimizer.dispose(); // frees the optimizer's GPU buffers
  return history.history.loss as number[];
}
