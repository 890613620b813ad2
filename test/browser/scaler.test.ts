/**
 * GradScaler on the GPU: poisoned steps are skipped with params, state and step counts bitwise
 * untouched, the following steps match a reference run that never saw them, and the scale
 * backs off and grows exactly as the reference's (torch.amp.GradScaler's rules), on the
 * one-dispatch (ParamArena) path and the per-tensor path. See suites/scaler.ts.
 */
import { expect, it } from 'vitest';
import { DEFAULT_CASES, FULL_CASES, GEOMETRY_LENGTHS } from '../cases.ts';
import type { OptimizerCase } from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';
import type { Poison, ScalerResult } from './suites/scaler.ts';
import { ulp } from './suites/compare.ts';

const CASES: OptimizerCase[] = [
  ...DEFAULT_CASES,
  ...FULL_CASES,
  {
    desc: 'adam(clipGradNorm 0.5, clipGradValue 0.01)',
    algorithm: 'adam',
    options: { lr: 0.01, clipGradNorm: 0.5, clipGradValue: 0.01 },
  },
  // with 16-bit state a skipped step must not even re-round the stored moments
  { desc: 'adam(f16 state)', algorithm: 'adam', options: { stateDtype: 'f16' } },
  {
    desc: 'sgd(bf16 state, momentum)',
    algorithm: 'sgd',
    options: { lr: 0.05, momentum: 0.9, stateDtype: 'bf16' },
  },
];

const last = GEOMETRY_LENGTHS.length - 1;
// Step 0 (the very first: SGD's momentum and Adam's t = 1 must wait for the next clean step),
// two in a row, and two late; the poisoned element is in a vec4 body, a scalar head or tail, or
// a one-element tensor.
const POISON: Poison[] = [
  { step: 0, tensor: 0, element: 0, value: 'nan' },
  { step: 3, tensor: last, element: (GEOMETRY_LENGTHS[last] as number) - 1, value: 'inf' },
  { step: 4, tensor: 5, element: 100, value: '-inf' },
  { step: 9, tensor: 3, element: 2, value: 'nan' },
  // in 'shared', tensor 4 (255 elements) starts 8 bytes past a 16-byte boundary: a scalar head
  { step: 10, tensor: 4, element: 0, value: 'inf' },
];
const STEPS = 12;

function failures(results: ScalerResult[], path: 'group' | 'tensor'): string[] {
  return results.flatMap((r) => {
    const out: string[] = [];
    const where = `${r.desc}`;
    if (!r.param.ok || !r.state.ok) {
      out.push(
        `${where}: GPU vs reference: param worst [${r.param.index}] gpu=${r.param.gpu} ref=${r.param.ref} (${r.param.ulps} ULP); state ${r.state.name}[${r.state.index}] gpu=${r.state.gpu} ref=${r.state.ref} (${r.state.ulps} ULP)`,
      );
    }
    if (r.referenceMismatches !== 0)
      out.push(`${where}: references differ in ${r.referenceMismatches} elements`);
    for (const s of r.skipped) {
      if (s.changed.length > 0)
        out.push(`${where}: poisoned step ${s.step} changed ${s.changed.join(', ')}`);
      if (!s.foundInf) out.push(`${where}: foundInf() was false after poisoned step ${s.step}`);
    }
    if (r.lastFoundInf) out.push(`${where}: foundInf() true after a clean step`);
    if (r.gpuScale !== r.refScale)
      out.push(`${where}: scale ${r.gpuScale}, reference ${r.refScale}`);
    if (r.stepCounts.join() !== r.refStepCounts.join()) {
      out.push(
        `${where}: step counts ${r.stepCounts.join()} vs reference ${r.refStepCounts.join()}`,
      );
    }
    if (r.stepCounts.some((c) => c !== STEPS - POISON.length))
      out.push(`${where}: step counts ${r.stepCounts.join()}`);
    const update =
      path === 'group' ? [1, 1] : [GEOMETRY_LENGTHS.length, 2 * GEOMETRY_LENGTHS.length];
    if (
      r.dispatches.update < (update[0] as number) ||
      r.dispatches.update > (update[1] as number)
    ) {
      out.push(`${where}: ${r.dispatches.update} update dispatches`);
    }
    const clips = r.desc.includes('clipGradNorm') ? 1 : 0;
    // the check (fused with the norm) is one dispatch per grad buffer, + finalize for the norm
    const checks = path === 'group' ? 1 : GEOMETRY_LENGTHS.length;
    if (r.dispatches.clip !== checks + clips) {
      out.push(`${where}: ${r.dispatches.clip} check dispatches`);
    }
    const prepare = r.desc.startsWith('rmsprop') ? 0 : 1;
    if (r.dispatches.scaler !== prepare + 1)
      out.push(`${where}: ${r.dispatches.scaler} scaler dispatches`);
    if (Object.values(r.createdAfterFirstStep).some((n) => n !== 0)) {
      out.push(`${where}: later steps created ${JSON.stringify(r.createdAfterFirstStep)}`);
    }
    if (r.errors.length > 0) out.push(`${where}: ${r.errors.join(' | ')}`);
    return out;
  });
}

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
        cases: CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        poison: POISON,
        // growth every 3 clean steps, so the run both grows and backs off the scale
        scaler: { initScale: 2 ** 10, growthInterval: 3 },
        layout,
        seed: 300,
      });
      expect(results).toHaveLength(CASES.length);
      expect(failures(results, path)).toEqual([]);
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
