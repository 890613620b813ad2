/**
 * examples/autompg.html: loads TF.js with its WebGPU backend and exposes `__autompg`, which
 * runs every optimizer of the comparison on the GPU. `npm run example -- autompg` drives it
 * in headless Chrome; test/browser/autompg.test.ts runs it for a few epochs.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the @tensorflow/tfjs bundle does this import).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { OPTIMIZERS, type Curve, type Problem } from './experiment.ts';
import { runTfjs } from './tfjs.ts';

/** What `__autompg` returns: one curve per optimizer, and where it ran. */
export interface GpuRun {
  curves: (Curve & { msPerEpoch: number })[];
  backend: string;
  tfjs: string;
  adapter: string;
}

/**
 * Runs the optimizers at `which` (indices into OPTIMIZERS; all by default) for `epochs`
 * epochs with TF.js gradients and webgpu-optim steps.
 */
export async function runAll(
  p: Problem,
  epochs: number,
  which: readonly number[] = OPTIMIZERS.map((_, i) => i),
): Promise<GpuRun> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
  await tf.ready();
  const adapter = await navigator.gpu.requestAdapter();
  const curves: GpuRun['curves'] = [];
  for (const i of which) {
    const config = OPTIMIZERS[i];
    if (!config) throw new RangeError(`which: no optimizer at index ${i}`);
    const t0 = performance.now();
    const curve = await runTfjs(tf, p, config, epochs);
    curves.push({ ...curve, msPerEpoch: (performance.now() - t0) / epochs });
  }
  return {
    curves,
    backend: tf.getBackend(),
    tfjs: tf.version_core,
    adapter: adapter
      ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim()
      : 'unknown',
  };
}

declare global {
  interface Window {
    __ready: boolean;
    __autompg: typeof runAll;
  }
}

window.__autompg = runAll;
window.__ready = true;
