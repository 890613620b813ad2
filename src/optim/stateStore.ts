import {
  bindingAlignment,
  placeState,
  type GeometryLimits,
  type StatePlacement,
} from '../kernels/geometry.ts';
import { BufferUsage } from '../kernels/usage.ts';
import type { StateDtype } from '../options/stateDict.ts';
import type { StateName } from '../options/types.ts';
import {
  bf16Bits,
  bf16FromBits,
  f16Bits,
  f16FromBits,
  stateBytesPerElement,
} from '../options/half.ts';
import type { Run } from './runs.ts';

/** What the store needs to know about one tensor. */
export interface StateRequest {
  length: number;
  /** Byte offset of the param, so state can share its 16-byte alignment. */
  paramOffset: number;
  names: readonly StateName[];
  /** Initial value of each state array, in `names` order. */
  initial: readonly number[];
}

/**
 * Where one tensor's state lives. `buffer` is null when it keeps no state arrays. The members
 * of a flat run share one region (`offset`, `bytes`, `stride`: the run's) and differ in
 * `stateOff`, each a multiple of 4 elements past the run's.
 */
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
 * kernel's vec4 body lines up with the param's (see placeState). The tensors of a flat run
 * (`runs`, src/optim/runs.ts) share one region laid out like the run's params: array j of
 * the whole run, padding included, then array j + 1, so the run binds as one tensor. A run
 * whose state would not fit one binding is placed tensor by tensor instead. Slabs stay within
 * maxStorageBufferBindingSize so any region can be bound.
 */
export class StateStore {
  readonly regions: StateRegion[];
  /** Bytes per state element: 4 for f32, 2 for f16 and bf16. */
  readonly bytesPerElement: 2 | 4;
  private readonly slabs: GPUBuffer[] = [];

  constructor(
    private readonly device: GPUDevice,
    label: string,
    requests: readonly StateRequest[],
    limits: GeometryLimits & { maxBufferSize: number },
    where: string,
    readonly dtype: StateDtype = 'f32',
    runs: readonly Run[] = [],
  ) {
    this.bytesPerElement = stateBytesPerElement(dtype);
    const align = bindingAlignment(limits);
    const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    // Each unit (one tensor, or one flat run: its members' arrays interleaved as one range per
    // state array, src/optim/runs.ts) is placed in one piece.
    const units: { members: number[]; flat: number[]; p: StatePlacement & { bytes: number } }[] =
      [];
    const inRun = new Set<number>();
    for (const run of runs) {
      const names = (requests[run.indices[0] as number] as StateRequest).names.length;
      if (names === 0 || run.indices.some((i) => inRun.has(i))) continue;
      const p = placeState(run.length, run.offset, names, this.bytesPerElement);
      if (p.bytes > cap) continue;
      for (const i of run.indices) inRun.add(i);
      units.push({ members: run.indices, flat: run.flat, p });
    }
    requests.forEach((r, i) => {
      if (inRun.has(i)) return;
      const p = placeState(r.length, r.paramOffset, r.names.length, this.bytesPerElement);
      if (r.names.length > 0 && p.bytes > cap) {
        throw new RangeError(
          `${where}: params[${i}] needs ${p.bytes} bytes of state (${r.names.join(', ')}), more than this device can bind (${cap})`,
        );
      }
      units.push({ members: [i], flat: [0], p });
    });
    units.sort((a, b) => (a.members[0] as number) - (b.members[0] as number));
    // Pack units into slabs: per tensor, its slab, the unit's byte offset and its placement.
    const at: { slab: number; offset: number }[] = requests.map(() => ({ slab: -1, offset: 0 }));
    const planned: (StatePlacement & { bytes: number })[] = requests.map(() => ({
      stateOff: 0,
      stride: 0,
      bytes: 0,
    }));
    const sizes: number[] = [];
    for (const u of units) {
      u.members.forEach((i, k) => {
        planned[i] = { ...u.p, stateOff: u.p.stateOff + (u.flat[k] as number) };
      });
      if ((requests[u.members[0] as number] as StateRequest).names.length === 0) continue;
      let slab = sizes.length - 1;
      let offset = slab >= 0 ? Math.ceil((sizes[slab] as number) / align) * align : 0;
      if (slab < 0 || offset + u.p.bytes > cap) {
        slab = sizes.length;
        sizes.push(0);
        offset = 0;
      }
      sizes[slab] = offset + u.p.bytes;
      for (const i of u.members) at[i] = { slab, offset };
    }
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
        const mapped = buffer.getMappedRange();
        const data =
          this.bytesPerElement === 4 ? new Float32Array(mapped) : new Uint16Array(mapped);
        requests.forEach((r, i) => {
          const a = at[i] as { slab: number; offset: number };
          const p = planned[i] as StatePlacement;
          if (a.slab !== s) return;
          r.initial.forEach((v, j) => {
            const start = a.offset / this.bytesPerElement + p.stateOff + j * p.stride;
            data.fill(this.encode(v), start, start + r.length);
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
    return r.offset + this.bytesPerElement * (r.stateOff + j * r.stride);
  }

  /**
   * One f32 value as the stored element: itself for f32, else its 16-bit pattern, rounded to
   * nearest even as the kernels store it (src/options/half.ts).
   */
  private encode(v: number): number {
    if (this.dtype === 'f16') return f16Bits(v);
    if (this.dtype === 'bf16') return bf16Bits(v);
    return v;
  }

  /**
   * Writes one state array through the queue, rounded to the storage type. A 16-bit array
   * is written from its 4-aligned start (the region's padding there is zero), so the copy
   * is a multiple of 4 bytes as writeBuffer requires.
   */
  write(i: number, j: number, data: Float32Array): void {
    const r = this.regions[i] as StateRegion;
    if (!r.buffer) throw new Error(`tensor ${i} keeps no state`);
    if (this.bytesPerElement === 4) {
      this.device.queue.writeBuffer(
        r.buffer,
        this.arrayOffset(i, j),
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
      return;
    }
    // Only this tensor's 4-element groups (a flat run's members never share one).
    const start = r.stateOff + j * r.stride;
    const lo = start - (start % 4);
    const words = new Uint16Array(Math.ceil((start + data.length) / 4) * 4 - lo);
    for (let k = 0; k < data.length; k++) words[start - lo + k] = this.encode(data[k] as number);
    this.device.queue.writeBuffer(r.buffer, r.offset + 2 * lo, words);
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
      const copies = staging.map((b) => b.getMappedRange().slice(0));
      return this.regions.map((r, i) => {
        if (!r.buffer) return [];
        const host = copies[this.slabs.indexOf(r.buffer)] as ArrayBuffer;
        return r.names.map((_, j) => {
          const start = this.arrayOffset(i, j) / this.bytesPerElement;
          if (this.bytesPerElement === 4) {
            return new Float32Array(host).slice(start, start + r.length);
          }
          const bits = new Uint16Array(host, 2 * start, r.length);
          const widen = this.dtype === 'f16' ? f16FromBits : bf16FromBits;
          return Float32Array.from(bits, widen);
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
