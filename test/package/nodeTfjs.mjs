/**
 * Run by Node in the consumer project once the TF.js packages are linked into it (see
 * README.md here): 'webgpu-optim/tfjs' imports, and the optimizer it makes is an instance of
 * the consumer's own tf.Optimizer (one copy of @tensorflow/tfjs-core). Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';

const tfjs = await import('webgpu-optim/tfjs');
const optimizer = tfjs.createTfjsOptimizer('adam', { lr: 1e-3 });

console.log(
  JSON.stringify({
    tfjs: Object.keys(tfjs).sort(),
    isTfOptimizer: optimizer instanceof tf.Optimizer,
    className: optimizer.getClassName(),
    config: optimizer.getConfig(),
  }),
);
