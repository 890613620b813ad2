/**
 * 'q8' state with several param groups (per-group options) on Dawn in Node: LAMB and Adadelta
 * over gathered f32 tensors (big f32 and 8-bit tensors between them), an all-8-bit group and an arena group, rebinding the grads and
 * resuming from a binary checkpoint (test/browser/suites/q8Groups.ts), bit for bit.
 */
import { expect, it } from 'vitest';
import { q8Groups } from '../browser/suites/q8Groups.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('q8 state with several param groups on Dawn in Node', () => {
  useNodeDevice();

  it.each([
    ['lamb', 64],
    ['lamb', 33],
    ['adadelta', 64],
  ] as const)(
    '%s, workgroupSize %i',
    async (algorithm, workgroupSize) => {
      const r = await q8Groups(algorithm, 5, workgroupSize);
      expect(r.failures).toEqual([]);
      expect(r.stepsTaken).toBe(5);
      // 5000, 4099, 4096, 4100, 4096, 4100, 4104 and 4099 in 8 bits
      expect(r.quantized).toBe(8);
      expect(r.steadyCreated).toBe(0);
      // group 0: the gathered run, 1000 alone, two 8-bit tensors; group 1: two 8-bit tensors;
      // group 2: the MULTI dispatch and two 8-bit tensors; group 3: three tensors alone. LAMB:
      // a sums dispatch before each update, and the finalize dispatch.
      expect(r.dispatches).toBe(algorithm === 'lamb' ? 2 * 12 + 1 : 12);
      // with grads that cannot be copied, group 0's four small tensors step alone (one
      // dispatch each, body and tail together; LAMB's sums twins too) instead of as one run
      expect(r.ungathered).toBe(r.dispatches + (algorithm === 'lamb' ? 2 : 1) * (4 - 1));
    },
    120_000,
  );

  it.each(['lamb', 'adadelta'] as const)(
    '%s with a GradScaler (a skipped step) and clipGradNorm',
    async (algorithm) => {
      const r = await q8Groups(algorithm, 5, 64, true);
      expect(r.failures).toEqual([]);
      expect(r.quantized).toBe(8);
      expect(r.stepsTaken).toBe(4); // step 3 of 5 skipped
    },
    120_000,
  );

  it.each(['lamb', 'adadelta'] as const)(
    '%s with every step recorded into one encoder (rebinds while steps are pending)',
    async (algorithm) => {
      const r = await q8Groups(algorithm, 5, 64, false, true);
      expect(r.failures).toEqual([]);
      expect(r.stepsTaken).toBe(5);
    },
    120_000,
  );
});
