/**
 * 8-bit block-wise state ('q8') on Dawn in Node: the suites of test/browser/suites/q8State.ts,
 * bit for bit against the reference (test/browser/q8.test.ts runs them in Chrome).
 */
import { expect, it } from 'vitest';
import {
  Q8_CASES,
  Q8_LAMB_MIX,
  q8Grid,
  q8Quantiser,
  q8Run,
  q8Scaler,
} from '../browser/suites/q8State.ts';
import { q8LoadF32 } from '../browser/suites/q8LoadF32.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('q8 state on Dawn in Node', () => {
  useNodeDevice();

  it('quantises edge-case blocks as the reference does', async () => {
    const r = await q8Quantiser();
    expect(r.failures).toEqual([]);
    expect(r.blocks).toBe(12);
    expect(r.zeroPoint).toBeGreaterThan(0);
    expect(r.roundedUp).toBeGreaterThan(0);
  });

  it.each(['separate', 'arena'] as const)(
    'steps, saves, loads and continues bitwise on %s buffers',
    async (layout) => {
      const r = await q8Run(layout, 4);
      expect(r.failures).toEqual([]);
      // 5000, 4099 and 4096 are stored in 8 bits, 300 stays f32.
      expect(r.quantized).toEqual(Q8_CASES.map(() => 3));
      expect(r.arrays).toBeGreaterThan(2 * Q8_CASES.length * 3);
    },
  );

  it("loads an f32 dict by quantising it as the kernel stores (Adadelta's square_avg up)", async () => {
    const r = await q8LoadF32();
    expect(r.failures).toEqual([]);
    expect(r.roundedUp).toBeGreaterThan(0);
  });

  it.each(['separate', 'arena'] as const)(
    'LAMB with f32 tensors between 8-bit ones on %s buffers: bitwise 8-bit tensors',
    async (layout) => {
      const r = await q8Run(layout, 3, 4096, Q8_LAMB_MIX, 'lamb', false);
      expect(r.failures).toEqual([]);
      // 5000 and 4096 in 8 bits; 300, 200, 100 and 50 in f32 (params within 8 ULP)
      expect(r.quantized).toEqual([2]);
    },
  );

  it.each(['adam', 'lamb'] as const)(
    'skips a GradScaler step with inf or NaN bitwise (%s)',
    async (algorithm) => {
      expect(await q8Scaler(algorithm)).toEqual([]);
    },
  );

  it('takes a 2-D grid past 65 535 workgroups, bitwise', async () => {
    const r = await q8Grid();
    expect(r.failures).toEqual([]);
    expect(r.grid).toBeGreaterThan(65535);
  }, 120_000);
});
