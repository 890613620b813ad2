/**
 * 8-bit block-wise state ('q8') in headless Chrome (SwiftShader): the suites of
 * test/browser/suites/q8State.ts and q8Checkpoint.ts, bit for bit against the reference, in one
 * page. test/node-gpu/q8.test.ts runs the same suites on Dawn in Node; this is the check on
 * the browser's WebGPU, which the package targets (the file took about 10 s on SwiftShader here).
 * q8Grid (2^24 elements, a 2-D grid) is left to the Node suite: the same shader path, and the
 * most expensive case.
 */
import { expect, it } from 'vitest';
import { describeGpu, useTestPage } from './harness.ts';
import { Q8_CASES, Q8_LAMB_MIX } from './suites/q8State.ts';

const CASES = Q8_CASES.length;

describeGpu('q8 state on the GPU (Chrome)', () => {
  const testPage = useTestPage();

  it('quantises edge-case blocks as the reference does', async () => {
    const r = await testPage().run('q8Quantiser');
    expect(r.failures).toEqual([]);
    expect(r.blocks).toBe(12);
    expect(r.zeroPoint).toBeGreaterThan(0); // positive values raised to code 1 (unsigned map)
    expect(r.roundedUp).toBeGreaterThan(0); // Adadelta's square_avg: up, not nearest
    // zeros, 0.3, -2.5: absmax 0, f32(0.3), 2.5 (the poisoned blocks' inf and NaN are
    // compared in the page: page.evaluate returns them as null)
    expect(r.absmax.slice(0, 3)).toEqual([0, Math.fround(0.3), 2.5]);
  });

  it.each(['separate', 'arena'] as const)(
    'steps, saves, loads and continues bitwise on %s buffers',
    async (layout) => {
      const r = await testPage().run('q8Run', layout, 3);
      expect(r.failures).toEqual([]);
      // 5000, 4099 and 4096 are stored in 8 bits, 300 stays f32 (min8bitSize 4096).
      expect(r.quantized).toEqual(Array.from({ length: CASES }, () => 3));
      expect(r.arrays).toBeGreaterThan(2 * CASES * 3);
    },
  );

  it('min8bitSize 0 stores every tensor in 8 bits', async () => {
    // two steps: q8Run checks the steady state of the steps after the first
    const r = await testPage().run('q8Run', 'separate', 2, 0);
    expect(r.failures).toEqual([]);
    expect(r.quantized).toEqual(Array.from({ length: CASES }, () => 4));
  });

  it("loads an f32 dict by quantising it as the kernel stores (Adadelta's square_avg up)", async () => {
    const r = await testPage().run('q8LoadF32');
    expect(r.failures).toEqual([]);
    expect(r.roundedUp).toBeGreaterThan(0);
  });

  it.each(['separate', 'arena'] as const)(
    'LAMB with f32 tensors between 8-bit ones on %s buffers: bitwise 8-bit tensors',
    async (layout) => {
      const r = await testPage().run('q8Run', layout, 3, 4096, Q8_LAMB_MIX, 'lamb', false);
      expect(r.failures).toEqual([]);
      // 5000 and 4096 in 8 bits; 300, 200, 100 and 50 in f32 (params within 8 ULP)
      expect(r.quantized).toEqual([2]);
    },
  );

  it.each(['adam', 'lamb'] as const)(
    'skips a GradScaler step with inf or NaN bitwise (%s)',
    async (a) => {
      expect(await testPage().run('q8Scaler', a)).toEqual([]);
    },
  );

  it('resumes bitwise through a binary checkpoint', async () => {
    const r = await testPage().run('q8Checkpoint', 3);
    expect(r.failures).toEqual([]);
    expect(r.quantized).toEqual([2, 2, 2]);
  });

  it.each(['lamb', 'adadelta'] as const)(
    'several param groups (gathered, all 8-bit, arena, grads in the param buffer), a GradScaler skip, clipGradNorm, rebinds and a checkpoint (%s)',
    async (algorithm) => {
      const r = await testPage().run('q8Groups', algorithm, 5, 64, true);
      expect(r.failures).toEqual([]);
      expect(r.quantized).toBe(8);
      expect(r.stepsTaken).toBe(4); // step 3 of 5 skipped
    },
  );
});
