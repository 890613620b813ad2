/**
 * GradScaler on the GPU: poisoned steps are skipped with params, state and step counts bitwise
 * untouched, the following steps match a reference run that never saw them, and the scale
 * backs off and grows exactly as the reference's (torch.amp.GradScaler's rules), on the
 * one-dispatch (ParamArena) path and the per-tensor path. See suites/scaler.ts.
 */
import { expect, it } from 'vitest';
import { GEOMETRY_LENGTHS } from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';
import { SCALER_CASES, SCALER_POISON, SCALER_STEPS, scalerFailures } from './scalerReport.ts';
import { ulp } from './suites/compare.ts';

describeGpu('GradScaler', () => {
  const testPage = useTestPage();

  it.each([
    ['a ParamArena: one update dispatch', 'arena', 'group'],
    ['one buffer per tensor: per-tensor dispatches', 'separate', 'tensor'],
    ['one buffer for params and one for grads at mixed alignment: one dispatch', 'shared', 'group'],
  ] as const)(
    'skips poisoned steps bitwise and matches the reference: %s',
    async (_, layout, path) => {
      const results = await testPage().run('scalerRun', {
        cases: SCALER_CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: SCALER_STEPS,
        poison: SCALER_POISON,
        // growth every 3 clean steps, so the run both grows and backs off the scale
        scaler: { initScale: 2 ** 10, growthInterval: 3 },
        layout,
        seed: 300,
      });
      expect(results).toHaveLength(SCALER_CASES.length);
      expect(scalerFailures(results, path)).toEqual([]);
      // 12 steps, 5 poisoned (0, 3, 4, 9, 10: each halves the scale) and 7 clean; the scale
      // grows after 3 clean steps in a row, which happens once (steps 5-7):
      // 2^10 / 2 / 2 / 2 · 2 / 2 / 2 = 2^6, with the growth tracker at 1 (step 11)
      for (const r of results) expect(r.gpuScale, r.desc).toBe(2 ** 6);
    },
  );

  it("runs docs/mixed-precision.md's example (examples/mixedPrecision.ts)", async () => {
    const r = await testPage().run('runMixedPrecision');
    // 100 steps, step 50 overflowed: 99 taken; the scale halved once (2^16 -> 2^15) and the
    // growth tracker counts the 49 clean steps since (growthInterval 2000 is never reached)
    expect(r).toEqual({
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

  it('flags an inf in every element position: heads, vec4 bodies, tails, several workgroups', async () => {
    const r = await testPage().run('scalerCoverage');
    // 4 residues × (1 + 2 + ... + 7) elements, plus 7 far elements of the big tensor
    expect(r.cases).toBe(4 * 28 + 7);
    expect(r).toMatchObject({ missed: [], falsePositive: false, errors: [] });
  });

  it.each([
    [1.5, 0.9],
    [1.1, 0.3],
  ])(
    'grows by %f and backs off by %f exactly as the reference, step by step',
    async (growthFactor, backoffFactor) => {
      const steps = await testPage().run('scalerRounding', {
        initScale: 1000,
        growthFactor,
        backoffFactor,
        steps: 60,
        cleanEvery: 3,
      });
      for (const s of steps) {
        // scale · factor is one f32 multiplication, correctly rounded in WGSL: exact
        expect(s.gpuScale, `step ${s.step}`).toBe(s.refScale);
        // 1 / scale: WGSL allows 2.5 ULP for division (SwiftShader is exact)
        expect(Math.abs(s.gpuInvScale - s.refInvScale), `step ${s.step}`).toBeLessThanOrEqual(
          2.5 * ulp(s.refInvScale),
        );
      }
      // the run both grew and backed off past non-powers of two
      expect(new Set(steps.map((s) => s.gpuScale)).size).toBeGreaterThan(10);
    },
  );

  it('reports an overflowing gradient norm as inf, not NaN (Kahan finalize)', async () => {
    expect(await testPage().run('normOverflow')).toBe(Infinity);
  });
});
