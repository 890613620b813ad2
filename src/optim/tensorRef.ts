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

/** Where CPU arrays belong instead, in the messages below. */
const CPU_HINT =
  "GPU optimizers take TensorRefs { buffer: GPUBuffer, offset?, length } that view your GPU buffers; to step Float32Arrays on the CPU, use the reference optimizers from 'webgpu-optim/reference' (for example AdamReference)";

/** "a Float32Array", "an array", ... for a CPU array, or null for anything else. */
function cpuArrayKind(value: unknown): string | null {
  if (Array.isArray(value)) return 'a plain array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  return null;
}

/**
 * Throws the clear error for two natural mistakes in the tensor `name` ("params[2]"): a CPU
 * array (Float32Array, another typed array, a plain array) where a TensorRef belongs, and a
 * bare GPUBuffer passed as a tensor.
 */
export function checkNotMistaken(value: unknown, name: string, where: string): void {
  const cpu = cpuArrayKind(value);
  if (cpu !== null) {
    throw new TypeError(`${where}: ${name} is ${cpu}, not a TensorRef: ${CPU_HINT}`);
  }
  if (typeof value !== 'object' || value === null || 'buffer' in value) return;
  const b = value as Partial<GPUBuffer>;
  if (typeof b.size === 'number' && typeof b.usage === 'number') {
    const label = b.label ? ` "${b.label}"` : '';
    throw new TypeError(
      `${where}: ${name} is a bare GPUBuffer${label}; wrap it as a TensorRef: { buffer, length: buffer.size / 4 } (here { buffer, length: ${b.size / 4} }), with an offset in bytes for a view inside it`,
    );
  }
}

/**
 * Throws the CPU-array hint when a whole list of tensors (`name`: "params", "grads") is a
 * typed array instead of an array of TensorRefs.
 */
export function checkNotCpuList(value: unknown, name: string, where: string): void {
  if (Array.isArray(value) || cpuArrayKind(value) === null) return;
  throw new TypeError(
    `${where}: ${name} is ${cpuArrayKind(value)}, not an array of TensorRefs: ${CPU_HINT}`,
  );
}

/**
 * Validates one TensorRef and returns its byte range. `name` is how errors refer to it, for
 * example "params[3]".
 */
export function checkTensorRef(ref: unknown, name: string, where: string): CheckedRef {
  checkNotMistaken(ref, name, where);
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
