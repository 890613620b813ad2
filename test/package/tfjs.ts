/**
 * Type-checked against the installed tarball's declarations and the TF.js packages linked
 * into the consumer (see README.md here): the tfjs entry's optimizer is a tf.Optimizer that
 * tfjs-layers' model.compile accepts, and its options are typed per algorithm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createTfjsOptimizer, TfjsOptimizer, type TfjsHostOptions } from 'webgpu-optim/tfjs';
import type { Algorithm, Optimizer as GpuOptimizer } from 'webgpu-optim';
// @ts-expect-error -- dist/ internals are not exported (package.json "exports")
import type { GradArena } from 'webgpu-optim/dist/adapters/tfjs/gradArena.js';

export type Unused = GradArena;

export async function fit(): Promise<number[]> {
  await tf.setBackend('webgpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [2] }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: createTfjsOptimizer('adam', { lr: 1e-3 }), loss: 'meanSquaredError' });

  const host: TfjsHostOptions = { clipGradNorm: 1, stateDtype: 'bf16', gradTransfer: 'bind' };
  const sgd = createTfjsOptimizer('sgd', { lr: 0.1, momentum: 0.9, nesterov: true }, host);
  const asTf: tf.Optimizer = sgd;
  const name: string = sgd.algorithm;
  const inner: GpuOptimizer<Algorithm> | null = sgd.gpuOptimizer;
  void inner;
  // @ts-expect-error -- momentum is not an Adam option: options are typed per algorithm
  createTfjsOptimizer('adam', { momentum: 0.9 });
  // @ts-expect-error -- not an algorithm
  createTfjsOptimizer('muon');
  // @ts-expect-error -- gradTransfer is 'copy' or 'bind'
  createTfjsOptimizer('sgd', {}, { gradTransfer: 'share' });

  const xs = tf.zeros([8, 2]);
  const ys = tf.ones([8, 1]);
  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 4 });
  const state = await sgd.getWeights();
  tf.dispose([xs, ys, ...state.map((w) => w.tensor)]);
  asTf.dispose();
  model.dispose();
  void name;
  void (sgd instanceof TfjsOptimizer);
  return history.history.loss as number[];
}
