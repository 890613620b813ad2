/**
 * The auto-mpg comparison run live in the page, loaded only when asked for (it brings TF.js).
 * With WebGPU: examples/autompg/tfjs.ts (TF.js computes the gradients on its WebGPU backend,
 * webgpu-optim steps its variables). Without: examples/autompg/cpu.ts (f32 gradients and
 * webgpu-optim/reference).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the @tensorflow/tfjs bundle does this import).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { runCpu } from '../examples/autompg/cpu.ts';
import { OPTIMIZERS, type Curve } from '../examples/autompg/experiment.ts';
import { runTfjs } from '../examples/autompg/tfjs.ts';
import { problem } from './autompgProblem.ts';

/** Runs every optimizer for `epochs` epochs; `gpu` picks the path. Reports each curve. */
export async function runLive(
  epochs: number,
  gpu: boolean,
  onCurve: (c: Curve, i: number) => void,
): Promise<Curve[]> {
  const p = problem();
  if (gpu) {
    if (!(await tf.setBackend('webgpu')))
      throw new Error('TF.js could not start its WebGPU backend');
    await tf.ready();
  }
  const curves: Curve[] = [];
  for (const [i, config] of OPTIMIZERS.entries()) {
    const c = gpu ? await runTfjs(tf, p, config, epochs) : runCpu(p, config, epochs);
    curves.push(c);
    onCurve(c, i);
  }
  return curves;
}
