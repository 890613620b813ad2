/**
 * Bundled by Vite from the installed tarball (see README.md here) and run in headless Chrome:
 * one Adam step on the GPU, and the raw text of an exported WGSL file. Sets window.__result.
 */
import { Adam } from 'webgpu-optim';
import adamWgsl from 'webgpu-optim/shaders/adam.wgsl?raw';

async function run() {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();
  device.pushErrorScope('validation');
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const p = device.createBuffer({ size: 12, usage });
  const g = device.createBuffer({ size: 12, usage });
  device.queue.writeBuffer(p, 0, new Float32Array([1, 2, 3]));
  device.queue.writeBuffer(g, 0, new Float32Array([0.5, -0.5, 2]));
  const opt = new Adam(device, [{ buffer: p, length: 3 }], { lr: 0.1 });
  opt.step([{ buffer: g, length: 3 }]);
  const r = device.createBuffer({
    size: 12,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(p, 0, r, 0, 12);
  device.queue.submit([encoder.finish()]);
  await r.mapAsync(GPUMapMode.READ);
  const values = Array.from(new Float32Array(r.getMappedRange()));
  await opt.checkErrors();
  const error = await device.popErrorScope();
  return {
    values,
    error: error ? error.message : null,
    adamWgsl: adamWgsl.split('\n')[0],
    adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`,
  };
}

run().then(
  (result) => (window.__result = result),
  (e) => (window.__result = { error: String(e) }),
);
