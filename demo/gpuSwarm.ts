/**
 * The swarm on the GPU. Each line's particles are one tensor (x0, y0, x1, y1, ...) in one
 * GPUBuffer, stepped by one of the package's optimizers in one dispatch; demo/gradient.wgsl
 * writes every particle's gradient in another. One `advance(steps)` records all of it, for
 * every line and step, into one command encoder, copying particle 0 after each step (the
 * trajectory) and every particle at the end, and reads them back once.
 */
import { LRScheduler, createOptimizer, type Optimizer } from 'webgpu-optim';
import type { LineAlgorithm } from './lines.ts';
import gradientSource from './gradient.wgsl?raw';
import {
  attempt,
  lineLr,
  startPositions,
  type Frame,
  type Swarm,
  type SwarmConfig,
} from './swarm.ts';

const WORKGROUP_SIZE = 64;
const LABEL = 'webgpu-optim-demo';

interface GpuLine {
  params: GPUBuffer;
  grads: GPUBuffer;
  bindGroup: GPUBindGroup;
  /** The optimizer and its scheduler; null when the line's options were rejected. */
  stepper: { opt: Optimizer<LineAlgorithm>; sched: LRScheduler } | null;
  error: string | null;
}

const pipelines = new WeakMap<GPUDevice, Map<number, Promise<GPUComputePipeline>>>();

/** The gradient pipeline of surface `id` on `device`, made once. */
function gradientPipeline(device: GPUDevice, id: number): Promise<GPUComputePipeline> {
  let byId = pipelines.get(device);
  if (!byId) pipelines.set(device, (byId = new Map()));
  let made = byId.get(id);
  if (!made) {
    const module = device.createShaderModule({ label: `${LABEL}/gradient`, code: gradientSource });
    made = device.createComputePipelineAsync({
      label: `${LABEL}/gradient/${id}`,
      layout: 'auto',
      compute: {
        module,
        entryPoint: 'main',
        constants: { SURFACE: id, WORKGROUP_SIZE },
      },
    });
    byId.set(id, made);
  }
  return made;
}

/** A swarm stepped by the package's GPU optimizers on `device`. */
export async function gpuSwarm(device: GPUDevice, config: SwarmConfig): Promise<Swarm> {
  const pipeline = await gradientPipeline(device, config.surface.id);
  const start = startPositions(config.surface, config.particles, config.seed);
  const bytes = start.byteLength;
  const made: GPUBuffer[] = [];
  const buffer = (role: string, size: number, usage: number) => {
    const b = device.createBuffer({ label: `${LABEL}/${role}`, size, usage });
    made.push(b);
    return b;
  };
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const lines: GpuLine[] = config.lines.map((line) => {
    const params = buffer(`${line.name}/params`, bytes, storage);
    device.queue.writeBuffer(params, 0, start as Float32Array<ArrayBuffer>);
    const grads = buffer(`${line.name}/grads`, bytes, storage);
    const bindGroup = device.createBindGroup({
      label: `${LABEL}/${line.name}/gradient`,
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: grads } },
      ],
    });
    const made = attempt(() => {
      const opt = createOptimizer(
        line.algorithm,
        device,
        [{ buffer: params, length: start.length }],
        line.options(lineLr(config, line.name), config.hyper) as never,
      ) as Optimizer<LineAlgorithm>;
      return { opt, sched: new LRScheduler(opt, config.schedule) };
    });
    return { params, grads, bindGroup, stepper: made.value, error: made.error };
  });
  const readUsage = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  const positionsOut = buffer('positions/readback', bytes * lines.length, readUsage);
  let pathOut: GPUBuffer | null = null;
  let pathSteps = 0;
  const workgroups = Math.ceil(config.particles / WORKGROUP_SIZE);
  let step = 0;
  let destroyed = false;
  let busy = false;

  return {
    backend: 'webgpu',
    initial: {
      step: 0,
      positions: lines.map(() => start.slice()),
      path: lines.map(() => new Float32Array(0)),
    },
    errors: lines.map((l) => l.error),
    async advance(steps: number): Promise<Frame> {
      if (destroyed) throw new Error('gpuSwarm.advance: the swarm was destroyed');
      if (busy) throw new Error('gpuSwarm.advance: the previous advance has not finished');
      if (!Number.isInteger(steps) || steps < 1) {
        throw new RangeError(`steps: expected an integer >= 1, got ${steps}`);
      }
      busy = true;
      try {
        if (steps > pathSteps) {
          pathOut?.destroy();
          pathSteps = steps;
          pathOut = buffer('path/readback', 8 * steps * lines.length, readUsage);
        }
        const out = pathOut as GPUBuffer;
        const encoder = device.createCommandEncoder({ label: `${LABEL}/advance` });
        for (let s = 0; s < steps; s++) {
          lines.forEach((l, k) => {
            if (!l.stepper) return;
            const pass = encoder.beginComputePass({ label: `${LABEL}/gradient` });
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, l.bindGroup);
            pass.dispatchWorkgroups(workgroups);
            pass.end();
            l.stepper.opt.step([{ buffer: l.grads, length: start.length }], encoder);
            l.stepper.sched.step();
            encoder.copyBufferToBuffer(l.params, 0, out, 8 * (k * steps + s), 8);
          });
        }
        lines.forEach((l, k) =>
          encoder.copyBufferToBuffer(l.params, 0, positionsOut, k * bytes, bytes),
        );
        device.queue.submit([encoder.finish({ label: `${LABEL}/advance` })]);
        await Promise.all([positionsOut.mapAsync(GPUMapMode.READ), out.mapAsync(GPUMapMode.READ)]);
        const all = new Float32Array(positionsOut.getMappedRange().slice(0));
        const pathAll = new Float32Array(out.getMappedRange(0, 8 * steps * lines.length).slice(0));
        positionsOut.unmap();
        out.unmap();
        step += steps;
        return {
          step,
          positions: lines.map((_, k) => all.slice(k * start.length, (k + 1) * start.length)),
          path: lines.map((l, k) =>
            l.stepper ? pathAll.slice(2 * k * steps, 2 * (k + 1) * steps) : new Float32Array(0),
          ),
        };
      } finally {
        busy = false;
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const l of lines) l.stepper?.opt.destroy();
      for (const b of made) b.destroy();
    },
  };
}
