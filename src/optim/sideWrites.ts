/**
 * Buffer writes a step makes besides its uniform, which happen only when something changes:
 * the MULTI geometry table and workgroup-to-tensor map on a rebind, and a GradScaler's
 * beta-power rows when betas change. They are collected while the step is prepared and
 * applied once it is known to be valid:
 * - directly with `queue.writeBuffer` when no recorded step that may read the old contents is
 *   unconfirmed (a self-submitted step, or nothing recorded ahead);
 * - otherwise through one new COPY_SRC staging buffer, copied into place by commands recorded
 *   into the step's encoder before its pass, so that steps recorded earlier still see the old
 *   contents when they run.
 */
import { BufferUsage } from '../kernels/usage.ts';

/** One pending write: `data` into `buffer` at `offset` (both multiples of 4 bytes). */
export interface SideWrite {
  buffer: GPUBuffer;
  offset: number;
  data: ArrayBufferView<ArrayBuffer>;
}

/** Applies `writes` directly on the queue. */
export function writeNow(device: GPUDevice, writes: readonly SideWrite[]): void {
  for (const w of writes) {
    device.queue.writeBuffer(
      w.buffer,
      w.offset,
      w.data.buffer,
      w.data.byteOffset,
      w.data.byteLength,
    );
  }
}

/**
 * Records `writes` into `encoder` through one new staging buffer and returns it (to be
 * destroyed once the step has run), or null when there is nothing to write.
 */
export function writeStaged(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  writes: readonly SideWrite[],
  label: string,
): GPUBuffer | null {
  if (writes.length === 0) return null;
  const size = writes.reduce((a, w) => a + w.data.byteLength, 0);
  const staging = device.createBuffer({
    label: `${label}/side-write-staging`,
    size,
    usage: BufferUsage.COPY_SRC,
    mappedAtCreation: true,
  });
  const bytes = new Uint8Array(staging.getMappedRange());
  let at = 0;
  for (const w of writes) {
    bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  staging.unmap();
  at = 0;
  for (const w of writes) {
    encoder.copyBufferToBuffer(staging, at, w.buffer, w.offset, w.data.byteLength);
    at += w.data.byteLength;
  }
  return staging;
}
