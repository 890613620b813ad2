/**
 * ScheduleFreeAdamW on the GPU against the CPU reference, beyond the shared parity table
 * (parity.test.ts runs every option combination of test/cases.ts through every layout, with
 * an eval() and train() halfway, checked bitwise, and a final eval()): 16-bit state and a
 * million-element tensor with value clipping.
 */
import { expect, it } from 'vitest';
import { GEOMETRY_LENGTHS, OPTIMIZER_CASES, type OptimizerCase } from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';
import { parityFailures } from './report.ts';

const STEPS = 8;
const CASES: OptimizerCase[] = OPTIMIZER_CASES.filter((c) => c.algorithm === 'schedulefreeadamw');

describeGpu('ScheduleFreeAdamW on the GPU', () => {
  const testPage = useTestPage();

  it.each(['f16', 'bf16'] as const)(
    '16-bit state (%s), with train/eval switches',
    async (dtype) => {
      const results = await testPage().run('parity', {
        cases: CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        seed: 77,
        layout: 'shared',
        stateDtype: dtype,
      });
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, STEPS, 'group')).toEqual([]);
      expect(results.every((r) => r.stateDtype === dtype)).toBe(true);
    },
  );

  it('eval()/train() before any bind group (after loadStateDict, after rebindParams), with two param groups', async () => {
    const r = await testPage().run('scheduleFreeFresh');
    expect(r.errors).toEqual([]);
    expect(r.mismatches).toEqual({
      'after 3 steps': 0,
      'fresh optimizer, loadStateDict, eval()': 0,
      'then train()': 0,
      'then a step': 0,
      'rebindParams, eval()': 0,
      'train(), a step': 0,
    });
  });

  it('steps recorded ahead of their submit equal steps taken one at a time (lr by hand and by an LRScheduler, rebinding, a GradScaler)', async () => {
    for (const [layout, lr, rebind, scaler] of [
      ['arena', 'hand', true, false],
      ['separate', 'scheduler', false, false],
      // poisoned steps among the recorded ones: prepare reads each step's own lr
      ['arena', 'hand', false, true],
    ] as const) {
      const results = await testPage().run('recordedRun', {
        cases: CASES,
        lengths: [5, 257, 4, 1023],
        layout,
        lr,
        rebind,
        ...(scaler ? { scaler: { poison: [0, 6, 7] } } : {}),
        seed: 3,
        phases: [
          { mode: 'one', steps: 5 },
          { mode: 'separate', steps: 3 },
          { mode: 'plain', steps: 2 },
        ],
      });
      expect(results).toHaveLength(CASES.length);
      for (const r of results) {
        expect(r.mismatches, r.desc).toEqual({ params: 0, state: 0, steps: 0 });
        expect(r.errors, r.desc).toEqual([]);
        expect(r.scaler === null, r.desc).toBe(!scaler);
        if (r.scaler) expect(r.scaler.recorded, r.desc).toBe(r.scaler.plain);
      }
    }
  });

  it('with a GradScaler: skipped steps change nothing, eval()/train() and save → load → continue, bitwise', async () => {
    const results = await testPage().run('scheduleFreeScaler', [
      {
        desc: 'r 0, weightLrPower 2; second group: warmup 3, weight decay, own betas and lr',
        shared: {},
        second: { lr: 0.02, warmupSteps: 3, weightDecay: 0.1, betas: [0.8, 0.99] },
      },
      {
        desc: 'r 1.5, weightLrPower 0.5 (the series pow), warmup 4, f16 state',
        shared: { r: 1.5, weightLrPower: 0.5, warmupSteps: 4 },
        second: { lr: 0.005 },
        stateDtype: 'f16',
      },
      {
        desc: 'r 1, weightLrPower 0, weight decay',
        shared: { r: 1, weightLrPower: 0, weightDecay: 0.05 },
        second: { warmupSteps: 2 },
      },
    ]);
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.errors, r.desc).toEqual([]);
      expect(r.changedBySkip, r.desc).toEqual([]);
      expect(r.mismatches, r.desc).toEqual({
        'eval() after a skipped first step': 0,
        'then train() (no z yet)': 0,
        'then train()': 0,
        'eval() after 3 steps taken': 0,
        'after 9 steps': 0,
        'loadStateDict()': 0,
        'loaded, then 3 steps': 0,
        'then eval()': 0,
      });
      // 9 + 3 steps, 4 of them skipped
      expect(r.stepCounts, r.desc).toEqual([8, 8, 8, 8]);
      expect(r.refStepCounts, r.desc).toEqual([8, 8, 8, 8]);
      for (const [gpu, ref] of r.weightSums) {
        expect(gpu, r.desc).toBeGreaterThan(0);
        expect(gpu, r.desc).toBe(ref);
      }
    }
  });

  it('a 1_000_003-element tensor, defaults and clipGradValue', async () => {
    const cases: OptimizerCase[] = [
      { desc: 'schedulefreeadamw(default)', algorithm: 'schedulefreeadamw', options: {} },
      {
        desc: 'schedulefreeadamw(clipGradValue 0.25, weightDecay 0.01)',
        algorithm: 'schedulefreeadamw',
        options: { clipGradValue: 0.25, weightDecay: 0.01 },
      },
    ];
    const results = await testPage().run('parity', {
      cases,
      lengths: [1_000_003],
      steps: 4,
      seed: 9,
      layout: 'shared',
    });
    expect(parityFailures(results, 1, 4)).toEqual([]);
  });
});
