/**
 * Helpers shared by the GPU suites: one device per page (a fresh page per test file) or per
 * Node test file, counters of every object the optimizer creates, and buffer utilities. The
 * suites run in headless Chrome (test/browser) and in Node on Dawn (test/node-gpu); they use
 * the WebGPU globals (GPUBufferUsage, GPUMapMode), which test/node-gpu installs from `webgpu`.
 */

export interface Counts {
  buffers: number;
  bindGroups: number;
  pipelines: number;
  shaderModules: number;
}

export interface TrackedDevice {
  device: GPUDevice;
  adapterInfo: Record<string, string>;
  counts: Counts;
  /** Errors captured by the device's uncapturederror event (should stay empty). */
  uncaptured: string[];
}

let tracked: Promise<TrackedDevice> | null = null;
let source: GPU | null = null;

/**
 * Where the suites get adapters from: `navigator.gpu` unless `useGpu` set another (Node has no
 * `navigator.gpu`; test/node-gpu passes the GPU object of `webgpu`'s `create()`, and keeping
 * it here also keeps it alive: a collected one loses its devices).
 */
export function gpu(): GPU {
  return source ?? navigator.gpu;
}

/** Makes the suites take adapters from `gpu` (call before the first `trackedDevice()`). */
export function useGpu(gpu: GPU): void {
  if (tracked) throw new Error('useGpu() called after the device was created');
  source = gpu;
}

function wrap<K extends keyof GPUDevice>(device: GPUDevice, name: K, onCall: () => void): void {
  const original = (device[name] as (...a: unknown[]) => unknown).bind(device);
  (device as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    onCall();
    return original(...args);
  };
}

/** The page's device, created on first use, with creation counters. */
export function trackedDevice(): Promise<TrackedDevice> {
  tracked ??= (async () => {
    const adapter = await gpu().requestAdapter();
    if (!adapter) throw new Error('requestAdapter() returned null: WebGPU is unavailable');
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    const counts: Counts = { buffers: 0, bindGroups: 0, pipelines: 0, shaderModules: 0 };
    wrap(device, 'createBuffer', () => counts.buffers++);
    wrap(device, 'createBindGroup', () => counts.bindGroups++);
    wrap(device, 'createComputePipeline', () => counts.pipelines++);
    wrap(device, 'createComputePipelineAsync', () => counts.pipelines++);
    wrap(device, 'createShaderModule', () => counts.shaderModules++);
    const uncaptured: string[] = [];
    device.addEventListener('uncapturederror', (e) => {
      uncaptured.push((e as GPUUncapturedErrorEvent).error.message);
    });
    const info = adapter.info;
    return {
      device,
      counts,
      uncaptured,
      adapterInfo: {
        vendor: info.vendor,
        architecture: info.architecture,
        device: info.device,
        description: info.description,
      },
    };
  })();
  return tracked;
}

/** Creates a STORAGE | COPY_SRC | COPY_DST buffer holding `data` at `byteOffset`. */
export function uploadBuffer(device: GPUDevice, size: number, label: string): GPUBuffer {
  return device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** Reads `length` floats at `byteOffset` of each (buffer, offset, length) view. */
export async function readViews(
  device: GPUDevice,
  views: readonly { buffer: GPUBuffer; offset: number; length: number }[],
): Promise<Float32Array[]> {
  const encoder = device.createCommandEncoder({ label: 'test/readback' });
  const staging = views.map((v) => {
    const b = device.createBuffer({
      label: 'test/staging',
      size: 4 * v.length,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyBufferToBuffer(v.buffer, v.offset, b, 0, 4 * v.length);
    return b;
  });
  device.queue.submit([encoder.finish()]);
  await Promise.all(staging.map((b) => b.mapAsync(GPUMapMode.READ)));
  const out = staging.map((b) => new Float32Array(b.getMappedRange().slice(0)));
  staging.forEach((b) => b.destroy());
  return out;
}

/** mulberry32: a small seeded PRNG, so every run sees the same numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform floats in [-scale, scale), rounded to f32. */
export function randomArray(
  next: () => number,
  length: number,
  scale = 1,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (2 * next() - 1) * scale;
  return out;
}
