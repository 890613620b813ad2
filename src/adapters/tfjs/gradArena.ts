/**
 * One buffer holding a copy of every gradient, at 16-byte-aligned offsets. TF.js hands out
 * new gradient buffers every step; copying them here (copyBufferToBuffer, no shader) keeps the
 * optimizer's grad views fixed, so a steady-state step makes no bind group.
 */
import type { TensorRef } from '../../index.ts';

const STORAGE = 0x80;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;

export class GradArena {
  readonly buffer: GPUBuffer;
  /** The optimizer's grad views, one per variable. */
  readonly views: TensorRef[];

  constructor(device: GPUDevice, lengths: readonly number[], label: string) {
    let at = 0;
    this.views = lengths.map((length) => {
      const offset = at;
      at += Math.ceil((4 * length) / 16) * 16;
      return { buffer: null as unknown as GPUBuffer, offset, length };
    });
    this.buffer = device.createBuffer({
      label,
      size: Math.max(at, 16),
      // COPY_SRC: the optimizer gathers small variables by copying their grads on (gather.ts).
      usage: STORAGE | COPY_DST | COPY_SRC,
    });
    for (const v of this.views) v.buffer = this.buffer;
  }

  /** Records the copy of `sources[i]` (a whole TF.js gradient buffer's data) into view i. */
  record(encoder: GPUCommandEncoder, sources: readonly GPUBuffer[], where: string): void {
    sources.forEach((src, i) => {
      const v = this.views[i] as TensorRef;
      if ((src.usage & COPY_SRC) === 0) {
        throw new TypeError(
          `${where}: the gradient buffer of variable ${i} lacks COPY_SRC usage (usage 0x${src.usage.toString(16)})`,
        );
      }
      encoder.copyBufferToBuffer(src, 0, this.buffer, v.offset ?? 0, 4 * v.length);
    });
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
