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
  stateMemoryOf,
  type MemoryRow,
} from '../browser/suites/stateMemory.ts';
import { model } from '../../bench/scenarios.ts';
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
    const refusedQ8 = ['ScheduleFreeAdamW'];
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

  it("refuses 'q8' for ScheduleFreeAdamW only, and says why", () => {
    const refusals = rows.flatMap((r) => r.refused.filter((m) => m !== null));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/ScheduleFreeAdamW.*'bf16' or 'f16'/);
  });

  it('Adadelta: 2 arrays, 2.03125 B per parameter in 8 bits', () => {
    const adadelta = rows.find((r) => r.label === 'Adadelta');
    expect(adadelta?.bytes).toEqual([8 * 2 ** 20, 4 * 2 ** 20, 4 * 2 ** 20, 2_129_920]);
    expect(adadelta?.quantized).toEqual([false, false, false, true]);
  });

  it('LAMB: 2.03125 B per parameter in 8 bits, as Adam', () => {
    const lamb = rows.find((r) => r.label === 'LAMB');
    expect(lamb?.bytes[3]).toBe(2_129_920);
    expect(lamb?.quantized).toEqual([false, false, false, true]);
  });

  it("Adam on the benchmark's model scenario: small tensors keep f32 state", async () => {
    // 101 tensors, 6 901 760 parameters; the 62 under 4096 elements (layer norms, biases:
    // 20 480 parameters) keep f32 state in a 'q8' optimizer.
    const lengths = model().tensors.map((t) => t.length);
    const params = lengths.reduce((a, n) => a + n, 0);
    expect(params).toBe(6_901_760);
    const r = await stateMemoryOf(lengths);
    expect(r.quantized).toBe(39);
    // 8-bit: 2 · (n + 4n/256) for each of the 39 large tensors (all multiples of 256), and
    // 8 B per element for the small ones, each region padded to the 256-byte binding alignment
    // (measured: exactly this floor, 14 141 440 B = 2.049 B per parameter).
    const large = lengths.filter((n) => n >= 4096).reduce((a, n) => a + n, 0);
    const q8Floor = 2 * (large + (4 * large) / 256) + 8 * (params - large);
    expect(r.bytes[3]).toBeGreaterThanOrEqual(q8Floor);
    expect(r.bytes[3]).toBeLessThan(q8Floor + 62 * 2 * 256);
    // f32 and 16-bit: 8 and 4 B per parameter, plus at most the alignment per tensor
    expect(r.bytes[0]).toBeGreaterThanOrEqual(8 * params);
    expect(r.bytes[0]).toBeLessThan(8 * params + 101 * 2 * 256);
    expect(r.bytes[1]).toBe(r.bytes[2]);
  });
});
