/**
 * The device's achievable bandwidth, measured in the same run on buffers of the same size as
 * the scenario: a vec4 read-write copy kernel, and copyBufferToBuffer. Each moves 2 bytes per
 * byte of buffer (one read, one write).
 */
import type { GpuTimer } from './gpuTimer.ts';
import type { RooflineBound } from './reliability.ts';
import { stat, type Stat } from './stats.ts';

const COPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
override WG_SIZE: u32 = 256u;
struct U { count: u32, grid_x: u32 }
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * u.grid_x + wg.x) * WG_SIZE + lid;
  if (i < u.count) {
    dst[i] = src[i];
  }
}`;

export interface Roofline {
  /** GB/s (1e9 bytes) of the vec4 copy kernel. */
  kernel: Stat;
  /** GB/s of copyBufferToBuffer. */
  copy: Stat;
  /** The better median of the two. */
  best: number;
  bytes: number;
}

/**
 * Measures both copies on `bytes`-byte buffers (rounded to 16 and capped by the device's
 * binding limit), `reps` times each, with `timer` when given and wall time otherwise.
 */
export async function measureRoofline(
  device: GPUDevice,
  bytes: number,
  reps: number,
  timer: GpuTimer | null,
): Promise<Roofline> {
  const size = Math.min(Math.ceil(bytes / 16) * 16, device.limits.maxStorageBufferBindingSize);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const src = device.createBuffer({ label: 'bench/roofline-src', size, usage });
  const dst = device.createBuffer({ label: 'bench/roofline-dst', size, usage });
  const count = size / 16;
  const wg = 256;
  const groups = Math.ceil(count / wg);
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(groups, max);
  const gy = Math.ceil(groups / gx);
  const uniform = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniform, 0, new Uint32Array([count, gx, 0, 0]));
  const module = device.createShaderModule({ code: COPY_WGSL });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main', constants: { WG_SIZE: wg } },
  });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
      { binding: 2, resource: { buffer: uniform } },
    ],
  });
  const kernel = (e: GPUCommandEncoder) => {
    const pass = e.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
  };
  const copy = (e: GPUCommandEncoder) => e.copyBufferToBuffer(src, 0, dst, 0, size);
  const time = async (work: (e: GPUCommandEncoder) => void): Promise<number[]> => {
    // one warm-up, then `reps` timed runs
    const warm = device.createCommandEncoder();
    work(warm);
    device.queue.submit([warm.finish()]);
    await device.queue.onSubmittedWorkDone();
    const walls: number[] = [];
    for (let r = 0; r < reps; r++) {
      const e = device.createCommandEncoder();
      const t0 = performance.now();
      if (timer) timer.bracket(e, work);
      else work(e);
      device.queue.submit([e.finish()]);
      await device.queue.onSubmittedWorkDone();
      walls.push(performance.now() - t0);
    }
    const ms = timer ? await timer.read() : walls;
    return ms.map((m) => (2 * size) / (m * 1e6));
  };
  const k = stat(await time(kernel));
  const c = stat(await time(copy));
  [src, dst, uniform].forEach((b) => b.destroy());
  return { kernel: k, copy: c, best: Math.max(k.median, c.median), bytes: size };
}

/** The roofline as the reliability flags read it: the better median and its spread. */
export function rooflineBound(r: Roofline): RooflineBound {
  const from = r.copy.median > r.kernel.median ? r.copy : r.kernel;
  return { gbps: r.best, spread: from.spread };
}
