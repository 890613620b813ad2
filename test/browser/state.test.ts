/**
 * stateDict round trip on the GPU: save after 4 steps, load into a fresh optimizer over a copy
 * of the params, take 4 more steps on both, and compare bitwise with the optimizer that was
 * never interrupted.
 */
import { expect, it } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';
import { roundTripFailures } from './report.ts';
import { SCHEDULED_ROUND_TRIP, expectScheduledRoundTripScale } from './sharedChecks.ts';

describeGpu('stateDict round trip', () => {
  const testPage = useTestPage();

  it('restores every algorithm × option combination bitwise', async () => {
    const results = await testPage().run('roundTrip', {
      cases: OPTIMIZER_CASES,
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 4,
      stepsAfter: 4,
      seed: 5,
    });
    expect(results).toHaveLength(OPTIMIZER_CASES.length);
    expect(roundTripFailures(results, 8)).toEqual([]);
  });

  it('restores bitwise through one ArrayBuffer with a scheduler attached', async () => {
    const results = await testPage().run('roundTrip', {
      cases: [...DEFAULT_CASES, ...FULL_CASES],
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 5,
      stepsAfter: 5,
      seed: 6,
      viaBuffer: true,
      scheduler: true,
    });
    expect(roundTripFailures(results, 10)).toEqual([]);
  });

  it('restores bitwise through one ArrayBuffer with a scheduler and a GradScaler attached', async () => {
    const results = await testPage().run('roundTrip', SCHEDULED_ROUND_TRIP);
    expect(roundTripFailures(results, 7)).toEqual([]);
    expectScheduledRoundTripScale(results);
  });
});

describeGpu('16-bit state (stateDtype) on the GPU', () => {
  const testPage = useTestPage();

  for (const stateDtype of ['f16', 'bf16'] as const) {
    it(`${stateDtype}: stores with the reference's rounding and loads every pattern exactly`, async () => {
      const r = await testPage().run('halfStorage', stateDtype);
      expect(r.errors).toEqual([]);
      expect(r.packMismatches).toEqual([]);
      expect(r.unpackMismatches).toEqual([]);
      expect(r.checked.unpack).toBe(0x10003);
      // bf16 patterns 0x0001..0x007f and 0x8001..0x807f (254), plus 0x1 and 0x2 again in the
      // 3 extra elements, are f32 subnormals, which WGSL arithmetic may flush (SwiftShader
      // does); f16 subnormals are normal f32 values and are all checked.
      expect(r.subnormalSkipped).toBe(stateDtype === 'bf16' ? 256 : 0);
    });

    it(`${stateDtype}: stateDict round trip restores every option combination bitwise`, async () => {
      const results = await testPage().run('roundTrip', {
        cases: OPTIMIZER_CASES,
        lengths: GEOMETRY_LENGTHS,
        stepsBefore: 4,
        stepsAfter: 4,
        seed: 8,
        viaBuffer: true,
        stateDtype,
      });
      expect(roundTripFailures(results, 8)).toEqual([]);
    });
  }

  it('round trips on a ParamArena (flat runs: one state range per array), f32, f16 and bf16', async () => {
    // loadStateDict writes each tensor's 16-bit words inside the run's range: a write that
    // spilled past the tensor's own 4-element groups would clobber its neighbours
    for (const stateDtype of ['f32', 'f16', 'bf16'] as const) {
      const results = await testPage().run('roundTrip', {
        cases: stateDtype === 'f16' ? OPTIMIZER_CASES : FULL_CASES,
        lengths: GEOMETRY_LENGTHS,
        stepsBefore: 3,
        stepsAfter: 3,
        seed: 9,
        viaBuffer: true,
        stateDtype,
        arena: true,
      });
      expect(roundTripFailures(results, 6)).toEqual([]);
    }
  });
});
