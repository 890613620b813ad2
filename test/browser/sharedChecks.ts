/**
 * Arguments and expected results that the browser GPU tests and the Node-on-Dawn tests
 * (test/node-gpu/) share, so both environments run and check exactly the same thing.
 */
import { expect } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS } from '../cases.ts';
import { SCALER_CASES, SCALER_POISON, SCALER_STEPS } from './scalerReport.ts';
import type { MisuseResult } from './suites/misuse.ts';
import type { RoundTripArgs, RoundTripResult } from './suites/roundtrip.ts';
import type { ScalerArgs } from './suites/scaler.ts';

/** Checks examples/quickstart.ts's returned params. */
export function expectQuickstartParams(p: readonly number[] | Float32Array): void {
  // Adam's first two steps with a constant gradient g: m̂ = g and v̂ = g², so each step
  // moves every element by lr · g / (|g| + eps) ≈ 0.1 · sign(g); two steps ≈ 0.2 · sign(g).
  const expected = [0.8, 2.2, 2.8, 4.2, 0, 0, 0, 0, 4.8, 6.2, 6.8];
  expect(p).toHaveLength(expected.length);
  p.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
}

/** Checks the misuse suite: asynchronous WebGPU errors reach the caller, nothing leaks. */
export function expectMisuse(r: MisuseResult): void {
  expect(r.otherDeviceOnError).toMatch(
    /^Adam: WebGPU reported an error during step 1.*test\/foreign/s,
  );
  expect(r.destroyedCheckErrors).toMatch(
    /^SGD: WebGPU reported an error.*test\/dead-grad.*destroyed/s,
  );
  expect(r.destroyedNextStepThrows).toMatch(
    /^SGD: WebGPU reported an error during step 2.*destroyed/s,
  );
  expect(r.stepAfterDestroy).toMatch(/SGD: step\(\) called after destroy\(\)/);
  expect(r.destroyTwiceOk).toBe(true);
  expect(r.leaked).toBeNull();
}

/**
 * examples/mixedPrecision.ts's result: 100 steps, step 50 overflowed, so 99 taken; the scale
 * halved once (2^16 -> 2^15) and the growth tracker counts the 49 clean steps since
 * (growthInterval 2000 is never reached).
 */
export const MIXED_PRECISION_RESULT = {
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
};

/**
 * The poisoned GradScaler run on one layout. 12 steps, 5 poisoned (0, 3, 4, 9, 10: each
 * halves the scale) and 7 clean; growth every 3 clean steps in a row happens once (steps 5-7):
 * 2^10 / 2 / 2 / 2 · 2 / 2 / 2 = SCALER_FINAL_SCALE, with the growth tracker at 1 (step 11).
 */
export function scalerRunArgs(layout: ScalerArgs['layout']): ScalerArgs {
  return {
    cases: SCALER_CASES,
    lengths: GEOMETRY_LENGTHS,
    steps: SCALER_STEPS,
    poison: SCALER_POISON,
    scaler: { initScale: 2 ** 10, growthInterval: 3 },
    layout,
    seed: 300,
  };
}
export const SCALER_FINAL_SCALE = 2 ** 6;

/**
 * A checkpoint through one ArrayBuffer with a scheduler and a GradScaler attached. NaN grads
 * at steps 1 and 2 (before the checkpoint) and 6 (after): the checkpoint holds a backed-off
 * scale and taken-step counts of 3 after 5 step() calls.
 */
export const SCHEDULED_ROUND_TRIP: RoundTripArgs = {
  cases: [
    ...DEFAULT_CASES,
    ...FULL_CASES,
    // weightSum and lrMax come from the GPU into the checkpoint's param groups and back
    {
      desc: 'schedulefreeadamw(warmup 3, r 0.5)',
      algorithm: 'schedulefreeadamw',
      options: { lr: 0.01, warmupSteps: 3, r: 0.5 },
    },
  ],
  lengths: GEOMETRY_LENGTHS,
  stepsBefore: 5,
  stepsAfter: 5,
  seed: 8,
  viaBuffer: true,
  scheduler: true,
  gradScaler: { poison: [1, 2, 6] },
};

/** 2^8, halved at steps 1, 2 and 6; grown after clean runs of 2 (steps 3-4, 7-8): 2^7. */
export function expectScheduledRoundTripScale(results: RoundTripResult[]): void {
  expect(results.map((r) => JSON.parse(r.scalers?.[0] ?? '{}').scale)).toEqual(
    results.map(() => 2 ** 7),
  );
}
