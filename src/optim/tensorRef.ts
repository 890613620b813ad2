import { BufferUsage } from '../kernels/usage.ts';

/**
 * A view of f32 elements inside a GPUBuffer the caller owns. `offset` is in bytes (default 0)
 * and a multiple of 4. The buffer needs STORAGE usage.
 */
export interface TensorRef {
  /** The buffer that holds the tensor; it needs STORAGE usage. */
  buffer: GPUBuffer;
  /** Byte offset of the first element, a multiple of 4 (default 0). */
  offset?: number;
  /** Number of f32 elements, a positive integer. */
  length: number;
}

/** A validated TensorRef with its byte range. */
export interface CheckedRef {
  buffer: GPUBuffer;
  offset: number;
  length: number;
  end: number;
  name: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Validates one TensorRef and returns its byte range. `name` is how errors refer to it, for
 * example "params[3]".
 */
export function checkTensorRef(ref: unknown, name: string, where: string): CheckedRef {
  if (typeof ref !== 'object' || ref === null) {
    throw new TypeError(
      `${where}: ${name} must be a TensorRef { buffer, offset?, length }, got ${describe(ref)}`,
    );
  }
  const r = ref as Partial<TensorRef>;
  const buffer = r.buffer as GPUBuffer | undefined;
  if (
    typeof buffer !== 'object' ||
    buffer === null ||
    typeof buffer.size !== 'number' ||
    typeof buffer.usage !== 'number'
  ) {
    throw new TypeError(`${where}: ${name}.buffer must be a GPUBuffer, got ${describe(buffer)}`);
  }
  const label = buffer.label ? ` "${buffer.label}"` : '';
  if ((buffer.usage & BufferUsage.STORAGE) === 0) {
    throw new TypeError(
      `${where}: ${name}.buffer${label} lacks STORAGE usage (usage is 0x${buffer.usage.toString(16)}); create it with GPUBufferUsage.STORAGE`,
    );
  }
  const length = r.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1) {
    throw new RangeError(
      `${where}: ${name}.length must be a positive integer, got ${String(length)}`,
    );
  }
  const offset = r.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) {
    throw new RangeError(
      `${where}: ${name}.offset must be a non-negative multiple of 4 bytes, got ${String(offset)}`,
    );
  }
  const end = offset + 4 * length;
  if (end > buffer.size) {
    throw new RangeError(
      `${where}: ${name} covers bytes [${offset}, ${end}) but its buffer${label} holds ${buffer.size} bytes`,
    );
  }
  return { buffer, offset, length, end, name };
}

/** Throws if any two ranges in the same buffer overlap. */
export function checkNoOverlap(refs: readonly CheckedRef[], where: string): void {
  const byBuffer = new Map<GPUBuffer, CheckedRef[]>();
  for (const r of refs) {
    const list = byBuffer.get(r.buffer);
    if (list) list.push(r);
    else byBuffer.set(r.buffer, [r]);
  }
  for (const list of byBuffer.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as CheckedRef;
      const b = sorted[i] as CheckedRef;
      if (b.offset < a.end) {
        throw new RangeError(
          `${where}: ${a.name} (bytes [${a.offset}, ${a.end})) and ${b.name} (bytes [${b.offset}, ${b.end})) overlap in the same buffer`,
        );
      }
    }
  }
}
