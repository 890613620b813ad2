/** Times webgpu-optim's fused step on a scenario. */
import {
  GradScaler,
  ParamArena,
  createOptimizer,
  type Algorithm,
  type TensorRef,
} from '../src/index.ts';
import { measureReps } from './measure.ts';
import { randomPool } from './randomPool.ts';
import type { RepPlan } from './repPlan.ts';
import type { GpuTimer } from './gpuTimer.ts';
import type { Scenario } from './scenarios.ts';
import { stat, type Stat } from './stats.ts';

export interface Timing {
  /** GPU ms per step (timestamp-query), or wall ms per step when timestamps are unavailable. */
  gpuMs: Stat;
  /** Wall ms per step: steps submitted back to back, one wait per repetition. */
  wallMs: Stat;
  /** Host (CPU) ms per step spent in the step call. */
  hostMs: Stat;
  dispatches: number;
  timing: 'timestamp-query' | 'wall';
}

/**
 * 'separate': one buffer per tensor for params and for grads, as most runtimes allocate them
 * (one or two dispatches per tensor). 'arena': a ParamArena (one dispatch per step).
 */
export function allocate(
  device: GPUDevice,
  s: Scenario,
  layout: 'arena' | 'separate',
): { params: TensorRef[]; grads: TensorRef[]; destroy(): void } {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const pool = randomPool(Math.max(...s.tensors.map((t) => t.length)));
  if (layout === 'arena') {
    const arena = new ParamArena(device, s.tensors, { label: `bench/arena/${s.name}` });
    arena.params.forEach((p, i) => {
      arena.writeParam(i, pool.subarray(0, p.length));
      arena.writeGrad(i, pool.subarray(0, p.length));
    });
    return { params: arena.params, grads: arena.grads, destroy: () => arena.destroy() };
  }
  const make = (label: string) =>
    s.tensors.map((t) => {
      const buffer = device.createBuffer({
        label: `bench/${label}/${t.name}`,
        size: 4 * t.length,
        usage,
      });
      device.queue.writeBuffer(buffer, 0, pool, 0, t.length);
      return { buffer, length: t.length };
    });
  const params = make('param');
  const grads = make('grad');
  return {
    params,
    grads,
    destroy: () => [...params, ...grads].forEach((t) => t.buffer.destroy()),
  };
}

export async function benchOurs(
  device: GPUDevice,
  s: Scenario,
  algorithm: Algorithm,
  options: Record<string, unknown>,
  plan: RepPlan,
  timer: GpuTimer | null,
  layout: 'arena' | 'separate' = 'arena',
  /** Attach a GradScaler (initial scale 1, so the update sees the same gradients). */
  gradScaler = false,
): Promise<Timing> {
  const { params, grads, destroy } = allocate(device, s, layout);
  device.pushErrorScope('validation');
  const scaler = gradScaler ? new GradScaler(device, { initScale: 1 }) : undefined;
  const opt = createOptimizer(algorithm, device, params, {
    ...options,
    gradScaler: scaler,
  } as never);
  // warm-up: bind groups, pipelines
  opt.step(grads);
  await device.queue.onSubmittedWorkDone();
  const gpu: number[] = [];
  const { wall, host, dispatches } = await measureReps(
    plan,
    () => {
      const encoder = device.createCommandEncoder();
      let hostMs = 0;
      // Host time of the step call alone, not of the timer's bracketing passes.
      const record = (e: GPUCommandEncoder) => {
        const h0 = performance.now();
        opt.step(grads, e);
        hostMs = performance.now() - h0;
      };
      if (timer) timer.bracket(encoder, record);
      else record(encoder);
      device.queue.submit([encoder.finish()]);
      return hostMs;
    },
    () => device.queue.onSubmittedWorkDone(),
    async () => {
      if (timer) gpu.push((await timer.read()).reduce((a, b) => a + b, 0) / plan.steps);
    },
  );
  await opt.checkErrors();
  opt.destroy();
  scaler?.destroy();
  destroy();
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU error while benchmarking ${algorithm}: ${error.message}`);
  const usable = timer !== null && gpu.every((g) => g > 0);
  return {
    gpuMs: stat(usable ? gpu : wall),
    wallMs: stat(wall),
    hostMs: stat(host),
    dispatches,
    timing: usable ? 'timestamp-query' : 'wall',
  };
}
