import { BufferUsage } from '../kernels/usage.ts';
import { Q8_BLOCK, q8Blocks, q8Signed, q8Table, quantize, type Quantized } from '../options/q8.ts';
import type { StateName } from '../options/types.ts';

/** What the store needs to know about one tensor whose state is stored in 8 bits. */
export interface Q8Request {
  length: number;
  names: readonly StateName[];
  /** Initial value of each state array, in `names` order. */
  initial: readonly number[];
}

/**
 * One tensor's 8-bit state: a buffer of its own holding `names.length` code arrays of
 * `stride` bytes (`blocks` · 256, four codes per u32), then as many absmax arrays of `blocks`
 * f32 (shaders/state_q8.wgsl's layout).
 */
export interface Q8Region {
  buffer: GPUBuffer;
  length: number;
  names: readonly StateName[];
  blocks: number;
  /** Elements (= bytes) between consecutive code arrays: blocks · 256. */
  stride: number;
}

/**
 * Owns the state of the tensors a 'q8' optimizer stores in 8 bits (src/options/q8.ts), and the
 * uniform table of maps and midpoints the kernel reads. `regions[i]` is null for a tensor that
 * keeps f32 state (shorter than min8bitSize, or with no state arrays).
 */
export class Q8Store {
  readonly regions: (Q8Region | null)[];
  /** The maps and midpoints (binding 9 of main_q8). */
  readonly table: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    label: string,
    requests: readonly (Q8Request | null)[],
    maxBindingSize: number,
    where: string,
  ) {
    const table = q8Table();
    this.table = device.createBuffer({
      label: `${label}/q8-table`,
      size: table.byteLength,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    new Uint32Array(this.table.getMappedRange()).set(table);
    this.table.unmap();
    const made: GPUBuffer[] = [];
    try {
      this.regions = requests.map((r, i) => {
        if (!r) return null;
        const blocks = q8Blocks(r.length);
        const stride = blocks * Q8_BLOCK;
        const count = r.names.length;
        const bytes = count * (stride + 4 * blocks);
        if (bytes > maxBindingSize) {
          throw new RangeError(
            `${where}: params[${i}] needs ${bytes} bytes of 8-bit state (${r.names.join(', ')}), more than this device can bind (${maxBindingSize})`,
          );
        }
        const buffer = device.createBuffer({
          label: `${label}/q8-state[${i}]`,
          size: Math.ceil(bytes / 16) * 16,
          usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
          mappedAtCreation: true,
        });
        made.push(buffer);
        const mapped = buffer.getMappedRange();
        r.names.forEach((name, j) => {
          const q = quantize(
            new Float32Array(r.length).fill(r.initial[j] as number),
            q8Signed(name),
          );
          new Uint8Array(mapped, j * stride, r.length).set(q.codes);
          new Float32Array(mapped, count * stride + 4 * j * blocks, blocks).set(q.absmax);
        });
        buffer.unmap();
        return { buffer, length: r.length, names: r.names, blocks, stride };
      });
    } catch (e) {
      for (const b of made) b.destroy();
      this.table.destroy();
      throw e;
    }
  }

  /** The buffers this store owns. */
  get buffers(): GPUBuffer[] {
    return [this.table, ...this.regions.flatMap((r) => (r ? [r.buffer] : []))];
  }

  /** Bytes of 8-bit state allocated (codes and absmax; the table excluded). */
  get stateBytes(): number {
    return this.regions.reduce((a, r) => a + (r ? r.buffer.size : 0), 0);
  }

  /** Byte offsets of array `j`'s codes and absmax inside tensor `i`'s buffer. */
  private offsets(r: Q8Region, j: number): { codes: number; absmax: number } {
    return { codes: j * r.stride, absmax: r.names.length * r.stride + 4 * j * r.blocks };
  }

  /** Writes array `j` of tensor `i` through the queue: its codes and absmax, bit for bit. */
  write(i: number, j: number, q: Quantized): void {
    const r = this.regions[i];
    if (!r) throw new Error(`tensor ${i} keeps no 8-bit state`);
    const at = this.offsets(r, j);
    // writeBuffer needs a multiple of 4 bytes: the codes go padded to whole words.
    const codes = new Uint8Array(Math.ceil(r.length / 4) * 4);
    codes.set(q.codes);
    this.device.queue.writeBuffer(r.buffer, at.codes, codes);
    this.device.queue.writeBuffer(r.buffer, at.absmax, new Float32Array(q.absmax));
  }

  /** Copies every 8-bit array to the host: result[i][j] is array `names[j]` of tensor `i`. */
  async read(label: string): Promise<(Quantized[] | null)[]> {
    const live = this.regions.filter((r): r is Q8Region => r !== null);
    if (live.length === 0) return this.regions.map(() => null);
    const encoder = this.device.createCommandEncoder({ label: `${label}/q8-readback-encoder` });
    const staging = new Map<Q8Region, GPUBuffer>();
    for (const r of live) {
      const b = this.device.createBuffer({
        label: `${label}/q8-readback`,
        size: r.buffer.size,
        usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      });
      encoder.copyBufferToBuffer(r.buffer, 0, b, 0, r.buffer.size);
      staging.set(r, b);
    }
    this.device.queue.submit([encoder.finish()]);
    try {
      await Promise.all([...staging.values()].map((b) => b.mapAsync(0x0001)));
      return this.regions.map((r) => {
        if (!r) return null;
        const host = (staging.get(r) as GPUBuffer).getMappedRange();
        return r.names.map((_, j) => {
          const at = this.offsets(r, j);
          return {
            codes: new Uint8Array(host, at.codes, r.length).slice(),
            absmax: new Float32Array(host, at.absmax, r.blocks).slice(),
          };
        });
      });
    } finally {
      for (const b of staging.values()) b.destroy();
    }
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
