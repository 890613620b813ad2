/**
 * Bundled by Vite from the installed tarball and the TF.js packages (see README.md here) and
 * run in headless Chrome: model.fit of one small model on TF.js's WebGPU backend, once with
 * createTfjsOptimizer('adam', …) and once with tf.train.adam under the options that reproduce
 * it (docs/tfjs.md), from the same initial weights and batches. Sets window.__result to both
 * runs' losses and tf.memory().numTensors at the end of each epoch and after disposal.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createTfjsOptimizer } from 'webgpu-optim/tfjs';

const EPOCHS = 3;

/** Deterministic values in [-1, 1) (a 32-bit LCG), so both runs see the same numbers. */
function lcg(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** 2 → 8 → 1 with fixed initial weights. */
function model() {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  let seed = 5;
  const init = m.getWeights().map((w) =>
    tf.tensor(
      lcg(w.size, seed++).map((v) => 0.6 * v),
      w.shape,
    ),
  );
  m.setWeights(init);
  tf.dispose(init);
  return m;
}

/** model.fit, 3 epochs of 4 batches: the loss and tf.memory().numTensors of each epoch. */
async function fit(optimizer, xs, ys) {
  const m = model();
  m.compile({ optimizer, loss: 'meanSquaredError' });
  const numTensors = [];
  const history = await m.fit(xs, ys, {
    epochs: EPOCHS,
    batchSize: 16,
    shuffle: false,
    verbose: 0,
    callbacks: { onEpochEnd: () => void numTensors.push(tf.memory().numTensors) },
  });
  m.dispose();
  optimizer.dispose();
  return { loss: history.history.loss, numTensors };
}

async function run() {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
  const device = tf.backend().device;
  const uncaptured = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push(e.error.message));
  const x = lcg(64 * 2, 7);
  const y = new Float32Array(64).map((_, i) => Math.sin(2 * x[2 * i]) - 0.5 * x[2 * i + 1]);
  const xs = tf.tensor2d(x, [64, 2]);
  const ys = tf.tensor2d(y, [64, 1]);
  const before = tf.memory().numTensors;
  const ours = await fit(createTfjsOptimizer('adam', { lr: 0.01, eps: 1e-7 }), xs, ys);
  const afterOurs = tf.memory().numTensors;
  const theirs = await fit(tf.train.adam(0.01, 0.9, 0.999), xs, ys);
  tf.dispose([xs, ys]);
  return {
    error: uncaptured.length > 0 ? uncaptured.join('\n') : null,
    backend: tf.getBackend(),
    ours,
    theirs,
    numTensors: { before, afterOurs, end: tf.memory().numTensors },
  };
}

run().then(
  (result) => (window.__result = result),
  (e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }),
);
