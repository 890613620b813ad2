import {
  bindingAlignment,
  placeState,
  type GeometryLimits,
  type StatePlacement,
} from '../kernels/geometry.ts';
import { BufferUsage } from '../kernels/usage.ts';
import type { StateName } from '../options/types.ts';

/** What the store needs to know about one tensor. */
export interface StateRequest {
  length: number;
  /** Byte offset of the param, so state can share its 16-byte alignment. */
  paramOffset: number;
  names: readonly StateName[];
  /** Initial value of each state array, in `names` order. */
  initial: readonly number[];
}

/** Where one tensor's state lives. `buffer` is null when it keeps no state arrays. */
export interface StateRegion extends StatePlacement {
  buffer: GPUBuffer | null;
  offset: number;
  bytes: number;
  length: number;
  names: readonly StateName[];
}

/**
 * Owns the optimizer state: few large buffers ("slabs"), each holding the state regions of
 * consecutive tensors. A region holds the tensor's arrays one after another, aligned so the
 * kernel's vec4 body lines up with the param's (see placeState). Slabs stay within
 * maxStorageBufferBindingSize so any region can be bound.
 */
export class StateStore {
  readonly regions: StateRegion[];
  private readonly slabs: GPUBuffer[] = [];

  constructor(
    private readonly device: GPUDevice,
    label: string,
    requests: readonly StateRequest[],
    limits: GeometryLimits & { maxBufferSize: number },
    where: string,
  ) {
    const align = bindingAlignment(limits);
    const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const planned = requests.map((r, i) => {
      const p = placeState(r.length, r.paramOffset, r.names.length);
      if (r.names.length > 0 && p.bytes > cap) {
        throw new RangeError(
          `${where}: params[${i}] needs ${p.bytes} bytes of state (${r.names.join(', ')}), more than this device can bind (${cap})`,
        );
      }
      return p;
    });
    // Pack regions into slabs: [slab index, byte offset] per tensor.
    const at: { slab: number; offset: number }[] = [];
    const sizes: number[] = [];
    planned.forEach((p, i) => {
      if ((requests[i] as StateRequest).names.length === 0) {
        at.push({ slab: -1, offset: 0 });
        return;
      }
      let slab = sizes.length - 1;
      let offset = slab >= 0 ? Math.ceil((sizes[slab] as number) / align) * align : 0;
      if (slab < 0 || offset + p.bytes > cap) {
        slab = sizes.length;
        sizes.push(0);
        offset = 0;
      }
      sizes[slab] = offset + p.bytes;
      at.push({ slab, offset });
    });
    for (const [s, size] of sizes.entries()) {
      const needsInit = requests.some(
        (r, i) => at[i]?.slab === s && r.initial.some((v) => v !== 0),
      );
      const buffer = device.createBuffer({
        label: `${label}/state[${s}]`,
        size: Math.ceil(size / 16) * 16,
        usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
        mappedAtCreation: needsInit,
      });
      if (needsInit) {
        const data = new Float32Array(buffer.getMappedRange());
        requests.forEach((r, i) => {
          const a = at[i] as { slab: number; offset: number };
          const p = planned[i] as StatePlacement;
          if (a.slab !== s) return;
          r.initial.forEach((v, j) => {
            const start = a.offset / 4 + p.stateOff + j * p.stride;
            data.fill(v, start, start + r.length);
          });
        });
        buffer.unmap();
      }
      this.slabs.push(buffer);
    }
    this.regions = requests.map((r, i) => {
      const a = at[i] as { slab: number; offset: number };
      const p = planned[i] as StatePlacement & { bytes: number };
      return {
        buffer: a.slab >= 0 ? (this.slabs[a.slab] as GPUBuffer) : null,
        offset: a.offset,
        bytes: p.bytes,
        stateOff: p.stateOff,
        stride: p.stride,
        length: r.length,
        names: r.names,
      };
    });
  }

  /** The buffers this store owns. */
  get buffers(): readonly GPUBuffer[] {
    return this.slabs;
  }

  /** Byte offset of state array `j` of tensor `i` inside its slab. */
  arrayOffset(i: number, j: number): number {
    const r = this.regions[i] as StateRegion;
    return r.offset + 4 * (r.stateOff + j * r.stride);
  }

  /** Writes one state array through the queue. */
  write(i: number, j: number, data: Float32Array): void {
    const r = this.regions[i] as StateRegion;
    if (!r.buffer) throw new Error(`tensor ${i} keeps no state`);
    this.device.queue.writeBuffer(
      r.buffer,
      this.arrayOffset(i, j),
      data.buffer,
      data.byteOffset,
      data.byteLength,
    );
  }

  /** Copies every state array to the host: result[i][j] is array `names[j]` of tensor `i`. */
  async read(label: string): Promise<Float32Array[][]> {
    const encoder = this.device.createCommandEncoder({ label: `${label}/readback-encoder` });
    const staging = this.slabs.map((slab, s) => {
      const b = this.device.createBuffer({
        label: `${label}/readback[${s}]`,
        size: slab.size,
        usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      });
      encoder.copyBufferToBuffer(slab, 0, b, 0, slab.size);
      return b;
    });
    this.device.queue.submit([encoder.finish()]);
    try {
      await Promise.all(staging.map((b) => b.mapAsync(0x0001)));
      const copies = staging.map((b) => new Float32Array(b.getMappedRange().slice(0)));
      return this.regions.map((r, i) => {
        if (!r.buffer) return [];
        const host = copies[this.slabs.indexOf(r.buffer)] as Float32Array;
        return r.names.map((_, j) => {
          const start = this.arrayOffset(i, j) / 4;
          return host.slice(start, start + r.length);
        });
      });
    } finally {
      for (const b of staging) b.destroy();
    }
  }

  destroy(): void {
    for (const b of this.slabs) b.destroy();
  }
}
