import { BufferUsage } from './usage.ts';

/**
 * Copies `size` bytes of `src` to the host. The copy is submitted before this returns, so
 * several readbacks started together see one moment of the queue; the promise resolves with
 * the bytes once the GPU is done.
 */
export function readBack(
  device: GPUDevice,
  src: GPUBuffer,
  size: number,
  label: string,
): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    label: `${label}/readback`,
    size,
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder({ label: `${label}/readback` });
  encoder.copyBufferToBuffer(src, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  return staging
    .mapAsync(0x0001)
    .then(() => staging.getMappedRange().slice(0))
    .finally(() => staging.destroy());
}
