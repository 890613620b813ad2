/**
 * stateDict round trip on the GPU: save after 4 steps, load into a fresh optimizer over a copy
 * of the params, take 4 more steps on both, and compare bitwise with the optimizer that was
 * never interrupted.
 */
import { expect, it } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';

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
    const failures = results.filter(
      (r) => r.paramMismatches > 0 || r.stateMismatches.length > 0 || r.errors.length > 0,
    );
    expect(failures).toEqual([]);
    expect(results.every((r) => r.stepCounts.every((c) => c === 8))).toBe(true);
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
    const failures = results.filter(
      (r) => r.paramMismatches > 0 || r.stateMismatches.length > 0 || r.errors.length > 0,
    );
    expect(failures).toEqual([]);
    expect(results.every((r) => r.stepCounts.every((c) => c === 10))).toBe(true);
  });

  it('restores bitwise through one ArrayBuffer with a scheduler and a GradScaler attached', async () => {
    // NaN grads at steps 1 and 2 (before the checkpoint) and 6 (after): the checkpoint holds a
    // backed-off scale and taken-step counts of 3 after 5 step() calls
    const results = await testPage().run('roundTrip', {
      cases: [...DEFAULT_CASES, ...FULL_CASES],
      lengths: GEOMETRY_LENGTHS,
      stepsBefore: 5,
      stepsAfter: 5,
      seed: 8,
      viaBuffer: true,
      scheduler: true,
      gradScaler: { poison: [1, 2, 6] },
    });
    const failures = results.filter(
      (r) =>
        r.paramMismatches > 0 ||
        r.stateMismatches.length > 0 ||
        r.errors.length > 0 ||
        !r.scalers ||
        r.scalers[0] !== r.scalers[1],
    );
    expect(failures).toEqual([]);
    expect(results.every((r) => r.stepCounts.every((c) => c === 7))).toBe(true);
    // 2^8, halved at steps 1, 2 and 6; grown after clean runs of 2 (steps 3-4, 7-8): 2^7
    expect(results.map((r) => JSON.parse(r.scalers?.[0] ?? '{}').scale)).toEqual(
      results.map(() => 2 ** 7),
    );
  });
});
