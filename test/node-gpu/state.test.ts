/**
 * Optimizer state on Dawn in Node: the GradScaler (poisoned steps skipped bitwise, the scale
 * backed off and grown as the reference's) and stateDict checkpoints restored bitwise, with the
 * browser tests' suites and checks (test/browser/scaler.test.ts, test/browser/state.test.ts).
 */
import { expect, it } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { roundTripFailures } from '../browser/report.ts';
import {
  SCALER_CASES,
  SCALER_POISON,
  SCALER_STEPS,
  scalerFailures,
} from '../browser/scalerReport.ts';
import { runMixedPrecision } from '../browser/suites/examples.ts';
import { roundTrip } from '../browser/suites/roundtrip.ts';
import { scalerRun } from '../browser/suites/scaler.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('GradScaler and checkpoints on Dawn in Node', () => {
  useNodeDevice();

  it.each([
    ['a ParamArena: one update dispatch', 'arena', 'group'],
    ['one buffer per tensor: per-tensor dispatches', 'separate', 'tensor'],
  ] as const)(
    'GradScaler skips poisoned steps bitwise and matches the reference: %s',
    async (_, layout, path) => {
      const results = await scalerRun({
        cases: SCALER_CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: SCALER_STEPS,
        poison: SCALER_POISON,
        scaler: { initScale: 2 ** 10, growthInterval: 3 },
        layout,
        seed: 300,
      });
      expect(results).toHaveLength(SCALER_CASES.length);
      expect(scalerFailures(results, path)).toEqual([]);
      // 5 poisoned steps halve 2^10 five times; one run of 3 clean steps (5-7) doubles it once
      for (const r of results) expect(r.gpuScale, r.desc).toBe(2 ** 6);
    },
  );

  it("runs the README's mixed-precision example (examples/mixedPrecision.ts)", async () => {
    // 100 steps, step 50 overflowed: 99 taken; the scale halved once (2^16 -> 2^15) and the
    // growth tracker counts the 49 clean steps since (growthInterval 2000 is never reached)
    expect(await runMixedPrecision()).toEqual({
      scale: 2 ** 15,
      skipped: false,
      steps: 99,
      gradScaler: {
        scale: 2 ** 15,
        growthTracker: 49,
        growthFactor: 2,
        backoffFactor: 0.5,
        growthInterval: 2000,
      },
    });
  });

  it('restores a stateDict checkpoint of every algorithm × option combination bitwise', async () => {
    const results = await roundTrip({
      cases: OPTIMIZER_CASES,
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 4,
      stepsAfter: 4,
      seed: 5,
    });
    expect(results).toHaveLength(OPTIMIZER_CASES.length);
    expect(roundTripFailures(results, 8)).toEqual([]);
  });

  it('restores bitwise through one ArrayBuffer with a scheduler and a GradScaler attached', async () => {
    // NaN grads at steps 1 and 2 (before the checkpoint) and 6 (after): the checkpoint holds a
    // backed-off scale and taken-step counts of 3 after 5 step() calls
    const results = await roundTrip({
      cases: [...DEFAULT_CASES, ...FULL_CASES],
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 5,
      stepsAfter: 5,
      seed: 8,
      viaBuffer: true,
      scheduler: true,
      gradScaler: { poison: [1, 2, 6] },
    });
    expect(roundTripFailures(results, 7)).toEqual([]);
    // 2^8, halved at steps 1, 2 and 6; grown after clean runs of 2 (steps 3-4, 7-8): 2^7
    expect(results.map((r) => JSON.parse(r.scalers?.[0] ?? '{}').scale)).toEqual(
      results.map(() => 2 ** 7),
    );
  });

  it('restores a 16-bit (bf16) checkpoint bitwise', async () => {
    const results = await roundTrip({
      cases: [...DEFAULT_CASES, ...FULL_CASES],
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 4,
      stepsAfter: 4,
      seed: 8,
      viaBuffer: true,
      stateDtype: 'bf16',
    });
    expect(roundTripFailures(results, 8)).toEqual([]);
  });
});
