/**
 * Optimizer state on Dawn in Node: the GradScaler (poisoned steps skipped bitwise, the scale
 * backed off and grown as the reference's) and stateDict checkpoints restored bitwise, with the
 * browser tests' suites and checks (test/browser/scaler.test.ts, test/browser/state.test.ts).
 */
import { expect, it } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { roundTripFailures } from '../browser/report.ts';
import { SCALER_CASES, scalerFailures } from '../browser/scalerReport.ts';
import {
  MIXED_PRECISION_RESULT,
  SCALER_FINAL_SCALE,
  SCHEDULED_ROUND_TRIP,
  expectScheduledRoundTripScale,
  scalerRunArgs,
} from '../browser/sharedChecks.ts';
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
      const results = await scalerRun(scalerRunArgs(layout));
      expect(results).toHaveLength(SCALER_CASES.length);
      expect(scalerFailures(results, path)).toEqual([]);
      for (const r of results) expect(r.gpuScale, r.desc).toBe(SCALER_FINAL_SCALE);
    },
  );

  it("runs the README's mixed-precision example (examples/mixedPrecision.ts)", async () => {
    expect(await runMixedPrecision()).toEqual(MIXED_PRECISION_RESULT);
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
    const results = await roundTrip(SCHEDULED_ROUND_TRIP);
    expect(roundTripFailures(results, 7)).toEqual([]);
    expectScheduledRoundTripScale(results);
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
