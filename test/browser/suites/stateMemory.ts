/**
 * State memory per parameter, from the buffers a GPU optimizer actually allocates
 * (`opt.stateBytes`: the StateStore's slabs plus the 8-bit regions), for every algorithm and
 * option set that changes the number of state arrays, in each `stateDtype`. One tensor of
 * MEMORY_LENGTH elements, so the per-tensor padding is negligible and the figures are the
 * per-parameter cost of a large model. docs/state8.md's memory table is this suite's output.
 */
import { createOptimizer } from '../../../src/index.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { trackedDevice } from './device.ts';

/** 2^20 elements: 4096 blocks of 256, a multiple of every alignment in play. */
export const MEMORY_LENGTH = 2 ** 20;

export const MEMORY_DTYPES: readonly StateDtype[] = ['f32', 'bf16', 'f16', 'q8'];

export interface MemoryCase {
  label: string;
  algorithm: Algorithm;
  options: Record<string, unknown>;
}

/** Every distinct count of state arrays: each algorithm, and the options that add arrays. */
export const MEMORY_CASES: readonly MemoryCase[] = [
  { label: 'SGD', algorithm: 'sgd', options: {} },
  { label: 'SGD, momentum', algorithm: 'sgd', options: { momentum: 0.9 } },
  { label: 'Adagrad', algorithm: 'adagrad', options: {} },
  { label: 'RMSprop', algorithm: 'rmsprop', options: {} },
  {
    label: 'RMSprop, momentum, centered',
    algorithm: 'rmsprop',
    options: { momentum: 0.9, centered: true },
  },
  { label: 'Adam, AdamW', algorithm: 'adam', options: {} },
  { label: 'Adam, amsgrad', algorithm: 'adam', options: { amsgrad: true } },
  { label: 'Adamax', algorithm: 'adamax', options: {} },
  { label: 'Adadelta', algorithm: 'adadelta', options: {} },
  { label: 'Lion', algorithm: 'lion', options: {} },
  { label: 'NAdam', algorithm: 'nadam', options: {} },
  { label: 'RAdam', algorithm: 'radam', options: {} },
  { label: 'LAMB', algorithm: 'lamb', options: {} },
  { label: 'ScheduleFreeAdamW', algorithm: 'schedulefreeadamw', options: {} },
];

export interface MemoryRow {
  label: string;
  /** stateBytes per dtype (MEMORY_DTYPES order); null where the dtype is refused. */
  bytes: (number | null)[];
  /** The refusal's message per dtype, or null. */
  refused: (string | null)[];
  /** isQuantized(0) per dtype. */
  quantized: boolean[];
}

/** Builds each case in each dtype over one MEMORY_LENGTH tensor and reads `stateBytes`. */
export async function stateMemory(): Promise<MemoryRow[]> {
  const { device } = await trackedDevice();
  const buffer = device.createBuffer({
    label: 'test/memory-param',
    size: 4 * MEMORY_LENGTH,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const params = [{ buffer, length: MEMORY_LENGTH }];
  const rows: MemoryRow[] = [];
  device.pushErrorScope('validation');
  for (const c of MEMORY_CASES) {
    const row: MemoryRow = { label: c.label, bytes: [], refused: [], quantized: [] };
    for (const stateDtype of MEMORY_DTYPES) {
      let opt: { stateBytes: number; isQuantized(i: number): boolean; destroy(): void };
      try {
        opt = createOptimizer(c.algorithm, device, params, {
          ...c.options,
          stateDtype,
        } as never) as unknown as typeof opt;
      } catch (e) {
        row.bytes.push(null);
        row.refused.push((e as Error).message);
        row.quantized.push(false);
        continue;
      }
      row.bytes.push(opt.stateBytes);
      row.refused.push(null);
      row.quantized.push(opt.isQuantized(0));
      opt.destroy();
    }
    rows.push(row);
  }
  const error = await device.popErrorScope();
  buffer.destroy();
  if (error) throw new Error(`validation error: ${error.message}`);
  return rows;
}

/**
 * `opt.stateBytes` of Adam over tensors of the given lengths (each in a buffer of its own), in
 * each dtype, and how many tensors 'q8' stored in 8 bits: what a model with small tensors
 * (biases, norms: kept in f32 under min8bitSize) really pays.
 */
export async function stateMemoryOf(
  lengths: readonly number[],
): Promise<{ bytes: number[]; quantized: number }> {
  const { device } = await trackedDevice();
  const buffers = lengths.map((n) =>
    device.createBuffer({
      label: 'test/memory-param',
      size: 4 * n,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    }),
  );
  const params = buffers.map((buffer, i) => ({ buffer, length: lengths[i] as number }));
  const bytes: number[] = [];
  let quantized = 0;
  device.pushErrorScope('validation');
  for (const stateDtype of MEMORY_DTYPES) {
    const opt = createOptimizer('adam', device, params, { stateDtype });
    bytes.push(opt.stateBytes);
    if (stateDtype === 'q8') quantized = lengths.filter((_, i) => opt.isQuantized(i)).length;
    opt.destroy();
  }
  const error = await device.popErrorScope();
  for (const b of buffers) b.destroy();
  if (error) throw new Error(`validation error: ${error.message}`);
  return { bytes, quantized };
}
