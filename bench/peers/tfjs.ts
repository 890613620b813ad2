/**
 * TF.js's WebGPU backend optimizers (tf.train.*), on tensors of the same shapes, timed the
 * same way as ours: `steps` steps back to back, one wait per repetition.
 */
import type { BenchKey } from '../algorithms.ts';
import { measureReps } from '../measure.ts';
import type { RepPlan } from '../repPlan.ts';
import type { Scenario } from '../scenarios.ts';
import { stat, type Stat } from '../stats.ts';

import type * as TfCore from '@tensorflow/tfjs-core';

type Tf = typeof TfCore;

let tfPromise: Promise<Tf> | null = null;

/** Loads TF.js with the WebGPU backend (once). */
export function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu')))
      throw new Error('TF.js could not start its WebGPU backend');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

export interface TfTiming {
  wallMs: Stat;
  hostMs: Stat;
  dispatches: number;
}

function optimizerFor(tf: Tf, key: BenchKey) {
  switch (key) {
    case 'sgd':
      return tf.train.momentum(0.01, 0.9);
    case 'sgd-plain':
      return tf.train.sgd(0.01);
    case 'adagrad':
      return tf.train.adagrad(0.01);
    case 'rmsprop':
      return tf.train.rmsprop(0.01);
    case 'adam':
      return tf.train.adam(0.001);
    case 'adamax':
      return tf.train.adamax(0.002);
    case 'adadelta':
      return tf.train.adadelta(1, 0.9, 1e-6);
    default:
      return null;
  }
}

export async function benchTfjs(
  s: Scenario,
  key: BenchKey,
  plan: RepPlan,
): Promise<TfTiming | null> {
  const tf = await loadTf();
  const optimizer = optimizerFor(tf, key);
  if (!optimizer) return null;
  const vars = s.tensors.map((t, i) =>
    tf.variable(tf.randomUniform([t.length], -1, 1), true, `bench_${key}_${i}`),
  );
  const grads = s.tensors.map((t) => tf.randomUniform([t.length], -1, 1));
  const named = vars.map((v, i) => ({
    name: v.name,
    tensor: grads[i] as ReturnType<Tf['randomUniform']>,
  }));
  // Reading one element forces TF.js to flush its queue and waits for the GPU.
  const probe = vars[vars.length - 1] as ReturnType<Tf['variable']>;
  const sync = async () => {
    await tf.tidy(() => tf.slice(probe, [0], [1])).data();
  };
  optimizer.applyGradients(named); // creates the accumulators, compiles the shaders
  await sync();
  const { wall, host, dispatches } = await measureReps(
    plan,
    () => {
      const h0 = performance.now();
      optimizer.applyGradients(named);
      return performance.now() - h0;
    },
    sync,
  );
  optimizer.dispose();
  vars.forEach((v) => v.dispose());
  grads.forEach((g) => g.dispose());
  return { wallMs: stat(wall), hostMs: stat(host), dispatches };
}

/**
 * ms per elementwise TF.js op on a 64-element tensor (host work and dispatch, little data):
 * the calibration's price of TF.js's per-op overhead, the median of `batches` batches of `ops`
 * ops (one batch once took 13× the others). Loads TF.js.
 */
export async function probeTfOpMs(ops = 20, batches = 3): Promise<number> {
  const tf = await loadTf();
  const a = tf.randomUniform([64], -1, 1);
  const run = async (n: number) => {
    let x = tf.add(a, a);
    for (let i = 1; i < n; i++) {
      const next = tf.add(x, a);
      x.dispose();
      x = next;
    }
    await x.data();
    x.dispose();
  };
  await run(5); // compiles the shader
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    await run(ops);
    out.push((performance.now() - t0) / ops);
  }
  a.dispose();
  return stat(out).median;
}
