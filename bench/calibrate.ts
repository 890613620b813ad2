/**
 * The short probe the planner prices the run with (costModel.ts): the vec4 copy kernel's and
 * copyBufferToBuffer's bandwidth on 16 MiB buffers, an empty submit's round trip, a plain JS
 * Adam loop's bandwidth on this CPU, and, when TF.js is a peer, one TF.js op's cost. About a
 * second, plus loading TF.js. Bandwidths are the slowest of five repetitions: on a shared
 * machine the run meets the bad moments too, and a median taken in a quiet second promised a
 * 65 s run that took 104 s.
 */
import type { Calibration } from './costModel.ts';
import { probeTfOpMs } from './peers/tfjs.ts';
import { measureRoofline } from './roofline.ts';
import { stat } from './stats.ts';

const PROBE_BYTES = 16 * 2 ** 20;
const CPU_ELEMENTS = 2 ** 20;

async function submitMs(device: GPUDevice, n = 12): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    device.queue.submit([device.createCommandEncoder({ label: 'bench/probe' }).finish()]);
    await device.queue.onSubmittedWorkDone();
    out.push(performance.now() - t0);
  }
  return stat(out).median;
}

/** GB/s of the plain JS Adam loop (28 B per element: read p, g, m, v; write p, m, v). */
function cpuGBps(reps = 5): number {
  const p = new Float32Array(CPU_ELEMENTS).fill(0.5);
  const g = new Float32Array(CPU_ELEMENTS).fill(0.1);
  const m = new Float32Array(CPU_ELEMENTS);
  const v = new Float32Array(CPU_ELEMENTS);
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < CPU_ELEMENTS; i++) {
      const gi = g[i] as number;
      const mi = 0.9 * (m[i] as number) + 0.1 * gi;
      const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = (p[i] as number) - (0.001 * mi) / (Math.sqrt(vi) + 1e-8);
    }
    out.push((28 * CPU_ELEMENTS) / ((performance.now() - t0) * 1e6));
  }
  return stat(out).min;
}

/** Runs the probes on `device` (and TF.js's when `tfjs`). */
export async function calibrate(device: GPUDevice, tfjs: boolean): Promise<Calibration> {
  const t0 = performance.now();
  const roofline = await measureRoofline(device, PROBE_BYTES, 5, null);
  const result: Calibration = {
    kernelGBps: roofline.kernel.min,
    copyGBps: roofline.copy.min,
    submitMs: await submitMs(device),
    cpuGBps: cpuGBps(),
    tfOpMs: tfjs ? await probeTfOpMs() : null,
    probeMs: 0,
  };
  return { ...result, probeMs: performance.now() - t0 };
}
