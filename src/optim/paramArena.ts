import { BufferUsage } from '../kernels/usage.ts';
import { registerOwnedPadding } from './ownedPadding.ts';
import type { TensorRef } from './tensorRef.ts';

/** A tensor to place in an arena: its length, and a name for labels and errors. */
export interface ArenaTensor {
  /** Used in buffer labels and error messages (default `tensors[i]`). */
  name?: string;
  /** Number of f32 elements, a positive integer. */
  length: number;
}

/** Options of a {@link ParamArena}. */
export interface ParamArenaOptions {
  /** Label prefix for the two buffers (default "webgpu-optim/arena"). */
  label?: string;
  /** Extra usage flags for both buffers (STORAGE | COPY_SRC | COPY_DST are always set). */
  usage?: number;
}

/**
 * Allocates parameters, and a matching gradient buffer, as contiguous 16-byte-aligned views of
 * one buffer each. An optimizer over `arena.params` stepped with `arena.grads` takes one
 * dispatch per param group, and every tensor takes the vec4 path. Both buffers start zeroed;
 * the arena owns them (`destroy()` frees them). The padding after each tensor (up to its
 * 16-byte boundary) belongs to the arena: optimizers whose kernels allow it update a group's
 * consecutive tensors and that padding as one flat range, which keeps the padding zero as
 * long as nothing writes it (`writeGrad` and the views never do).
 */
export class ParamArena {
  /** One view per tensor into `paramBuffer`, in the order given. */
  readonly params: TensorRef[];
  /** One view per tensor into `gradBuffer`, at the same offsets as `params`. */
  readonly grads: TensorRef[];
  /** The buffer that holds every parameter. */
  readonly paramBuffer: GPUBuffer;
  /** The buffer that holds every gradient, laid out like `paramBuffer`. */
  readonly gradBuffer: GPUBuffer;
  /** Bytes per buffer. */
  readonly size: number;

  constructor(
    /** The device both buffers are created on. */
    readonly device: GPUDevice,
    tensors: readonly (number | ArenaTensor)[],
    options: ParamArenaOptions = {},
  ) {
    if (!Array.isArray(tensors) || tensors.length === 0) {
      throw new TypeError(
        'ParamArena: tensors must be a non-empty array of lengths or { name, length }',
      );
    }
    const list = tensors.map((t, i) => {
      const length = typeof t === 'number' ? t : t?.length;
      const name = (typeof t === 'object' && t?.name) || `tensors[${i}]`;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 1) {
        throw new RangeError(
          `ParamArena: ${name} length must be a positive integer, got ${String(length)}`,
        );
      }
      return { name, length };
    });
    const offsets: number[] = [];
    let at = 0;
    for (const t of list) {
      offsets.push(at);
      at += Math.ceil((4 * t.length) / 16) * 16;
    }
    const max = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    if (at > max) {
      throw new RangeError(
        `ParamArena: ${at} bytes of tensors exceed this device's binding limit (${max}); use several arenas (one per param group)`,
      );
    }
    this.size = at;
    const label = options.label ?? 'webgpu-optim/arena';
    const usage =
      BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST | (options.usage ?? 0);
    this.paramBuffer = device.createBuffer({ label: `${label}/params`, size: at, usage });
    this.gradBuffer = device.createBuffer({ label: `${label}/grads`, size: at, usage });
    const views = (buffer: GPUBuffer) =>
      list.map((t, i) => ({ buffer, offset: offsets[i] as number, length: t.length }));
    this.params = views(this.paramBuffer);
    this.grads = views(this.gradBuffer);
    // The padding after each tensor is the arena's: optimizers may update it with the tensors
    // around it as one flat range (src/optim/runs.ts), which leaves it zero.
    registerOwnedPadding(this.paramBuffer, this.params);
    registerOwnedPadding(this.gradBuffer, this.grads);
  }

  /** Writes tensor `i`'s values through the queue. */
  writeParam(i: number, data: Float32Array<ArrayBuffer>): void {
    this.write(this.params, i, data, 'writeParam');
  }

  /** Writes tensor `i`'s gradient through the queue. */
  writeGrad(i: number, data: Float32Array<ArrayBuffer>): void {
    this.write(this.grads, i, data, 'writeGrad');
  }

  /** Frees both buffers. Idempotent. */
  destroy(): void {
    this.paramBuffer.destroy();
    this.gradBuffer.destroy();
  }

  private write(
    views: TensorRef[],
    i: number,
    data: Float32Array<ArrayBuffer>,
    method: string,
  ): void {
    const v = views[i];
    if (!v)
      throw new RangeError(
        `ParamArena.${method}: no tensor ${i} (the arena holds ${views.length})`,
      );
    if (data.length !== v.length) {
      throw new RangeError(
        `ParamArena.${method}: tensor ${i} has ${v.length} elements, got ${data.length}`,
      );
    }
    this.device.queue.writeBuffer(v.buffer, v.offset ?? 0, data);
  }
}
