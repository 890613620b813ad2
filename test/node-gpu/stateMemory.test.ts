/**
 * State bytes per parameter from the buffers a GPU optimizer allocates (test/browser/suites/
 * stateMemory.ts) on Dawn in Node, against the byte model: an f32 array is 4 B per element, a
 * 16-bit one 2 B, an 8-bit one 1 B plus one f32 absmax per block of 256 (4/256 B). The
 * per-parameter figures are docs/state8.md's memory table.
 */
import { expect, it } from 'vitest';
import {
  MEMORY_CASES,
  MEMORY_DTYPES,
  MEMORY_LENGTH,
  stateMemory,
  type MemoryRow,
} from '../browser/suites/stateMemory.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

/**
 * State arrays per case (PyTorch's state keys; ScheduleFreeAdamW keeps z, exp_avg_sq and
 * saved_y, docs/algorithms.md).
 */
const ARRAYS: Record<string, number> = {
  SGD: 0,
  'SGD, momentum': 1,
  Adagrad: 1,
  RMSprop: 1,
  'RMSprop, momentum, centered': 3,
  'Adam, AdamW': 2,
  'Adam, amsgrad': 3,
  Adamax: 2,
  Adadelta: 2,
  Lion: 1,
  NAdam: 2,
  RAdam: 2,
  LAMB: 2,
  ScheduleFreeAdamW: 3,
};

/** Bytes per element of one state array in each dtype (q8: a code, and 4 B per 256). */
const PER_ARRAY = { f32: 4, bf16: 2, f16: 2, q8: 1 + 4 / 256 } as const;

describeNodeGpu('state memory per parameter on Dawn in Node', () => {
  useNodeDevice();
  let rows: MemoryRow[] = [];

  it('allocates what the byte model says, for every algorithm and dtype', async () => {
    rows = await stateMemory();
    expect(rows.map((r) => r.label)).toEqual(MEMORY_CASES.map((c) => c.label));
    const perParam = rows.map((r) => [
      r.label,
      ...r.bytes.map((b) => (b === null ? null : b / MEMORY_LENGTH)),
    ]);
    const refusedQ8 = ['LAMB', 'ScheduleFreeAdamW'];
    const expected = rows.map((r) => [
      r.label,
      ...MEMORY_DTYPES.map((d) =>
        d === 'q8' && refusedQ8.includes(r.label)
          ? null
          : (ARRAYS[r.label] as number) * PER_ARRAY[d],
      ),
    ]);
    expect(perParam).toEqual(expected);
  });

  it('Adam: 8 B per parameter in f32, 4 B in 16 bits, 2.03125 B in 8 bits', () => {
    const adam = rows.find((r) => r.label === 'Adam, AdamW');
    // 2 arrays · 2^20 elements; q8: 2 · (2^20 codes + 4096 blocks · 4 B) = 2 129 920 B
    expect(adam?.bytes).toEqual([8 * 2 ** 20, 4 * 2 ** 20, 4 * 2 ** 20, 2_129_920]);
    expect(adam?.quantized).toEqual([false, false, false, true]);
  });

  it("refuses 'q8' for LAMB and ScheduleFreeAdamW and says why", () => {
    const refusals = rows.flatMap((r) => r.refused.filter((m) => m !== null));
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatch(/LAMB.*'bf16' or 'f16'/);
    expect(refusals[1]).toMatch(/ScheduleFreeAdamW.*'bf16' or 'f16'/);
  });
});
