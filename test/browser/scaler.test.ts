/**
 * GradScaler on the GPU: poisoned steps are skipped with params, state and step counts bitwise
 * untouched, the following steps match a reference run that never saw them, and the scale
 * backs off and grows exactly as the reference's (torch.amp.GradScaler's rules), on the
 * one-dispatch (ParamArena) path and the per-tensor path. See suites/scaler.ts.
 */
import { expect, it } from 'vitest';
import { describeGpu, useTestPage } from './harness.ts';
import { SCALER_CASES, scalerFailures } from './scalerReport.ts';
import { MIXED_PRECISION_RESULT, SCALER_FINAL_SCALE, scalerRunArgs } from './sharedChecks.ts';
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
      const results = await testPage().run('scalerRun', scalerRunArgs(layout));
      expect(results).toHaveLength(SCALER_CASES.length);
      expect(scalerFailures(results, path)).toEqual([]);
      for (const r of results) expect(r.gpuScale, r.desc).toBe(SCALER_FINAL_SCALE);
    },
  );

  it('skips poisoned steps bitwise with small tensors in separate buffers gathered into one dispatch', async () => {
    // the skipped step's copies write back the params they read: still bitwise untouched;
    // LAMB too (its gathered tensors' trust ratios take slots of their own)
    const cases = SCALER_CASES;
    const results = await testPage().run('scalerRun', {
      ...scalerRunArgs('separate'),
      cases,
      gatherBelow: 1 << 16,
    });
    expect(results).toHaveLength(cases.length);
    expect(scalerFailures(results, 'gathered')).toEqual([]);
    for (const r of results) expect(r.gpuScale, r.desc).toBe(SCALER_FINAL_SCALE);
  });

  it("runs docs/mixed-precision.md's example (examples/mixedPrecision.ts)", async () => {
    const r = await testPage().run('runMixedPrecision');
    expect(r).toEqual(MIXED_PRECISION_RESULT);
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
